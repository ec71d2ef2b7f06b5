import { bytesPer } from "../ir/dtype.js";
import { readsOf, writesOf } from "./kernels/kernel-buffers.js";
import type { KernelProgram } from "./kernels/kernel-ir.js";

/**
 * Places every buffer of a kernel program in one arena. A buffer lives from the kernel
 * that writes it to the last kernel that reads it (inputs from the start, outputs to the
 * end); buffers whose lifetimes do not overlap share memory (first fit, 16-byte aligned).
 */
export interface ArenaPlan {
  /** Byte offset of each buffer. */
  readonly offsets: readonly number[];
  readonly bytes: number;
}

const ALIGN = 16;

/**
 * `external` buffers (a target that reads the program's inputs where they already are)
 * get no place in the arena.
 */
export function planArena(
  program: KernelProgram,
  extraBytes: (kernel: number) => number = () => 0,
  external: ReadonlySet<number> = new Set(),
): ArenaPlan {
  const n = program.buffers.length;
  const first = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const last = new Array<number>(n).fill(-1);
  const touch = (b: number, k: number) => {
    first[b] = Math.min(first[b]!, k);
    last[b] = Math.max(last[b]!, k);
  };
  const end = program.kernels.length;
  for (const b of program.inputs) touch(b, -1);
  program.kernels.forEach((kernel, k) => {
    for (const b of writesOf(kernel)) touch(b, k);
    for (const b of readsOf(kernel)) touch(b, k);
  });
  for (const b of program.outputs) touch(b, end);

  const order = [...Array(n).keys()]
    .filter((b) => last[b]! >= 0 && !external.has(b))
    .sort((a, b) => first[a]! - first[b]! || a - b);
  const offsets = new Array<number>(n).fill(0);
  const live: { start: number; end: number; buffer: number }[] = [];
  let bytes = 0;
  for (const b of order) {
    for (let i = live.length - 1; i >= 0; i--) if (last[live[i]!.buffer]! < first[b]!) live.splice(i, 1);
    const size = Math.ceil((program.buffers[b]!.size * bytesPer(program.buffers[b]!.dtype)) / ALIGN) * ALIGN;
    live.sort((x, y) => x.start - y.start);
    let at = 0;
    for (const l of live) {
      if (at + size <= l.start) break;
      at = Math.max(at, l.end);
    }
    offsets[b] = at;
    live.push({ start: at, end: at + size, buffer: b });
    bytes = Math.max(bytes, at + size);
  }
  const extra = Math.max(0, ...program.kernels.map((_, k) => extraBytes(k)));
  return { offsets, bytes: bytes + extra };
}
