// The machine's WebAssembly SIMD peak: a hand-assembled kernel that runs K independent
// f32x4 multiply-add chains (acc = acc * x + y) in a loop, so nothing but the multiply and
// add throughput limits it. Measured with plain f32x4.mul + f32x4.add, and with relaxed
// SIMD's fused f32x4.relaxed_madd where the runtime has it (Node 20 needs
// --experimental-wasm-relaxed-simd; the bench measures in a child process started with it).
//
// Run directly, this file prints one JSON object per figure:
//   node --no-liftoff --experimental-wasm-relaxed-simd bench/dist/wasm-peak.js [--threads N]
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

export type PeakOp = "mul+add" | "relaxed-madd";

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const SIMD = 0xfd;
const F32X4_SPLAT = [SIMD, ...uleb(0x13)];
const F32X4_EXTRACT_LANE = [SIMD, ...uleb(0x1f)];
const F32X4_ADD = [SIMD, ...uleb(0xe4)];
const F32X4_MUL = [SIMD, ...uleb(0xe6)];
const F32X4_RELAXED_MADD = [SIMD, ...uleb(0x105)];
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;

/**
 * A module exporting `peak(n: i32, x: f32, y: f32) -> f32`: n iterations of `chains`
 * independent acc = acc * x + y updates on f32x4 values. Flops per iteration: chains * 8.
 */
export function peakModule(op: PeakOp, chains: number): Uint8Array<ArrayBuffer> {
  // params: 0 = n, 1 = x, 2 = y; locals: 3 = splat(x), 4 = splat(y), 5.. = accumulators
  const X = 3;
  const Y = 4;
  const acc = (j: number) => 5 + j;
  const code: number[] = [];
  code.push(LOCAL_GET, 1, ...F32X4_SPLAT, LOCAL_SET, X);
  code.push(LOCAL_GET, 2, ...F32X4_SPLAT, LOCAL_SET, Y);
  for (let j = 0; j < chains; j++) code.push(LOCAL_GET, Y, LOCAL_SET, ...uleb(acc(j)));
  code.push(0x03, 0x40); // loop (no result)
  for (let j = 0; j < chains; j++) {
    code.push(LOCAL_GET, ...uleb(acc(j)), LOCAL_GET, X);
    if (op === "mul+add") code.push(...F32X4_MUL, LOCAL_GET, Y, ...F32X4_ADD);
    else code.push(LOCAL_GET, Y, ...F32X4_RELAXED_MADD);
    code.push(LOCAL_SET, ...uleb(acc(j)));
  }
  // n = n - 1; continue while n != 0
  code.push(LOCAL_GET, 0, 0x41, 1, 0x6b, LOCAL_TEE, 0, 0x0d, 0);
  code.push(0x0b); // end loop
  // Sum the accumulators and return lane 0, so no chain is dead code.
  code.push(LOCAL_GET, ...uleb(acc(0)));
  for (let j = 1; j < chains; j++) code.push(LOCAL_GET, ...uleb(acc(j)), ...F32X4_ADD);
  code.push(...F32X4_EXTRACT_LANE, 0);
  code.push(0x0b); // end function
  const locals = [1, ...uleb(2 + chains), V128];
  const body = [...locals, ...code];
  return Uint8Array.from([
    ...MAGIC_AND_VERSION,
    ...section(1, [1, 0x60, 3, I32, F32, F32, 1, F32]), // type 0: (i32, f32, f32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, 4, ...new TextEncoder().encode("peak"), 0x00, 0]), // export "peak" = func 0
    ...section(10, [1, ...uleb(body.length), ...body]), // code
  ]);
}

/** GFLOP/s of one thread on the kernel, best of 8 timed runs of 50–200 ms per chain count. */
export function measurePeak(op: PeakOp): number | undefined {
  let best = 0;
  for (const chains of [8, 12]) {
    const bytes = peakModule(op, chains);
    if (!WebAssembly.validate(bytes)) return undefined;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const peak = instance.exports.peak as (n: number, x: number, y: number) => number;
    peak(10_000, 0.9999, 0.0001); // tier up
    let n = 100_000;
    for (;;) {
      const t0 = performance.now();
      peak(n, 0.9999, 0.0001);
      const ms = performance.now() - t0;
      if (ms > 50) break;
      n *= 4;
    }
    for (let rep = 0; rep < 8; rep++) {
      const t0 = performance.now();
      const result = peak(n, 0.9999, 0.0001);
      const ms = performance.now() - t0;
      if (!Number.isFinite(result)) throw new Error("wasm peak kernel diverged");
      best = Math.max(best, (n * chains * 8) / (ms * 1e6));
    }
  }
  return best;
}

/** The same kernel on `threads` worker threads at once: the summed GFLOP/s. */
export async function measurePeakThreads(op: PeakOp, threads: number): Promise<number | undefined> {
  const script = fileURLToPath(import.meta.url);
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.url).then((m) => parentPort.postMessage(m.measurePeak(workerData.op) ?? null));
  `;
  const url = new URL(`file://${script}`).href;
  const results = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number | null>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData: { url, op } });
          worker.once("message", (value: number | null) => {
            resolve(value);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    ),
  );
  if (results.some((r) => r === null)) return undefined;
  return results.reduce<number>((sum, r) => sum + r!, 0);
}

export interface PeakReport {
  op: PeakOp;
  threads: number;
  gflops: number | null;
  note?: string;
}

/** Plain mul+add on 1 and `threads` threads, relaxed madd on 1 thread, all in this process. */
async function measureHere(threads: number): Promise<PeakReport[]> {
  const reports: PeakReport[] = [];
  const one = measurePeak("mul+add");
  reports.push({
    op: "mul+add",
    threads: 1,
    gflops: one ?? null,
    note: one === undefined ? "no SIMD" : undefined,
  });
  if (threads > 1) {
    const all = await measurePeakThreads("mul+add", threads);
    reports.push({ op: "mul+add", threads, gflops: all ?? null });
  }
  const relaxed = measurePeak("relaxed-madd");
  reports.push({
    op: "relaxed-madd",
    threads: 1,
    gflops: relaxed ?? null,
    note: relaxed === undefined ? "relaxed SIMD not supported by this runtime" : undefined,
  });
  return reports;
}

/**
 * The peaks, measured in a child process started with --no-liftoff (every call runs
 * optimised code, none V8's baseline code) and --experimental-wasm-relaxed-simd (Node 20
 * needs it). Falls back to measuring in this process if the child fails.
 */
export async function simdPeaks(threads: number): Promise<PeakReport[]> {
  // Always ask for relaxed SIMD in the child: this process may validate it only because a
  // library turned the flag on at run time. A runtime that rejects the flag gets a retry without it.
  for (const flags of [["--no-liftoff", "--experimental-wasm-relaxed-simd"], ["--no-liftoff"]]) {
    const child = spawnSync(
      process.execPath,
      [...flags, fileURLToPath(import.meta.url), "--threads", String(threads)],
      { encoding: "utf8", timeout: 120_000 },
    );
    if (child.status !== 0) continue;
    try {
      return child.stdout
        .trim()
        .split("\n")
        .map((line) => {
          const { op, threads: used, gflops, note } = JSON.parse(line) as PeakReport;
          return { op, threads: used, gflops, note };
        });
    } catch {
      // try the next flags
    }
  }
  return measureHere(threads);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--threads");
  const threads = at > 0 ? Number(process.argv[at + 1]) : availableParallelism();
  for (const report of await measureHere(threads)) {
    process.stdout.write(`${JSON.stringify({ bench: "simd-peak", impl: "wasm", ...report })}\n`);
  }
}
