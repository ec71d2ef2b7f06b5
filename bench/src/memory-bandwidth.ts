// The machine's memory read bandwidth, which bounds a matrix-vector product (GEMV): every
// weight is read once and used for one multiply-add. Measured by comparing two equal
// 128 MiB buffers (Buffer.compare is libc's memcmp, which reads both with the widest
// vector loads and stops at the end): bytes read per second, the best of a few runs on
// one thread.
import { performance } from "node:perf_hooks";

export function memoryReadBandwidth(runs = 7): number {
  const bytes = 128 * 2 ** 20;
  const a = Buffer.alloc(bytes, 7);
  const b = Buffer.alloc(bytes, 7);
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    if (Buffer.compare(a, b) !== 0) throw new Error("memory bandwidth: buffers differ");
    const ms = performance.now() - t0;
    best = Math.max(best, (2 * bytes) / (ms * 1e6));
  }
  return best;
}
