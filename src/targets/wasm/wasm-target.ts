import { describeKernel } from "../../compiler/kernels/describe.js";
import { fuseProgram } from "../../compiler/kernels/fuse.js";
import type { Program } from "../../compiler/program.js";
import type { HostArray } from "../../ir/dtype.js";
import type { Storage } from "../../ir/storage.js";
import { claims, type KernelTable } from "../kernel-table.js";
import { defaultThreadCount } from "../pool/thread-count.js";
import type { ProgramProfile, Target } from "../target.js";
import { wasmFeatures } from "./features.js";
import { WasmHeap } from "./heap.js";
import { type MatmulTuning, tuneMatmulRows, tuningProgram } from "./matmul-tuning.js";
import { ThreadPool } from "./thread-pool.js";
import { MAX_PAGES, WASM_KERNELS, type WasmInstructionKernel, WasmProgram } from "./wasm-program.js";

export interface WasmTargetOptions {
  name?: string;
  /** Threads including the calling one (default: INFINISET_THREADS, else the number of cores). */
  threads?: number;
  /** Fuse elementwise chains and reduction prologues (default true); off to measure what it buys. */
  fuse?: boolean;
  /** Kernels of the target's own for whole instructions, added to (or replacing) the built-in table. */
  kernels?: KernelTable<WasmInstructionKernel>;
  /**
   * Work (elements; multiply-adds for matmul) below which a kernel runs as one task.
   * Default: wasm-program.ts's PARALLEL_WORK; 1 splits every kernel across the threads.
   */
  parallelWork?: number;
}

/**
 * The WebAssembly target: the compiler's kernels rendered as WebAssembly (SIMD128) at run
 * time, sharing one memory. Every primitive runs here: as a generated kernel, or, for the
 * few without one (gather, scatterAdd, checkRange and user primitives), through its
 * reference semantics on the same memory; instructions in its kernel table run its own
 * kernel for them.
 */
/** The wasm target, with what it measured about this machine. */
export interface WasmTarget extends Target {
  readonly threads: number;
  /** The matmul block height in use, measured at first use or read from the tuning cache. */
  matmulTuning(): MatmulTuning;
  /**
   * Starts the worker threads and resolves when they are ready. Node starts them at the
   * first run that needs them; a browser must await this first (a Web Worker does not start
   * while the thread that made it is busy).
   */
  startWorkers(): Promise<void>;
}

export function createWasmTarget(options: WasmTargetOptions = {}): WasmTarget {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const heap = new WasmHeap(memory, MAX_PAGES * 65536);
  const name = options.name ?? "wasm";
  const kernelTable = { ...WASM_KERNELS, ...options.kernels };
  const threads = options.threads ?? defaultThreadCount();
  // Workers start on first use, so importing the library costs nothing.
  let pool: ThreadPool | undefined;
  const getPool = () => (threads > 1 ? (pool ??= new ThreadPool(memory, threads)) : undefined);
  const compiled = new WeakMap<Program, WasmProgram>();
  let tuning: MatmulTuning | undefined;
  const tuned = () =>
    (tuning ??= tuneMatmulRows(wasmFeatures.relaxedSimd, (rows) => measureMatmul(heap, rows)));
  const prepare = (program: Program) => {
    let wasm = compiled.get(program);
    if (!wasm) {
      const kernels = fuseProgram(program, { fuse: options.fuse ?? true, packPanel: 8, epilogues: true });
      wasm = new WasmProgram(kernels, {
        heap,
        program: name,
        pool: getPool(),
        fma: wasmFeatures.relaxedSimd,
        matmulRows: tuned().rows,
        kernels: kernelTable,
        ...(options.parallelWork ? { parallelWork: options.parallelWork } : {}),
      });
      compiled.set(program, wasm);
    }
    return wasm;
  };
  return {
    threads,
    matmulTuning: tuned,
    startWorkers: async () => {
      await getPool()?.started();
    },
    name,
    description: `WebAssembly SIMD kernels generated at run time, fused, on ${threads} thread${threads > 1 ? "s" : ""}${wasmFeatures.relaxedSimd ? ", relaxed-SIMD FMA" : ""}`,
    hasKernel: (instruction, attrs) => claims(kernelTable, instruction, attrs),
    prepare: (program) => prepare(program).moduleBytes,
    run(program: Program, inputs: readonly HostArray[]): HostArray[] {
      return prepare(program).run(inputs);
    },
    // Realised values stay in the wasm memory: a training loop's parameters, gradients and
    // optimizer state never leave it, and each run allocates nothing on the JavaScript heap.
    runResident(program: Program, inputs: readonly Storage[]): Storage[] {
      return prepare(program).runResident(inputs);
    },
    profile(program: Program, inputs: readonly Storage[]): ProgramProfile {
      const wasm = prepare(program);
      const times: number[] = [];
      wasm.run(inputs, times);
      return {
        kernels: wasm.program.kernels.map((k, i) => ({ ...describeKernel(k), ms: times[i]! })),
        arenaBytes: wasm.arenaBytes,
        buffers: wasm.program.buffers.length,
      };
    },
  };
}

/** GFLOP/s of the tuning product with the given block height (best of a few ms of runs). */
function measureMatmul(heap: WasmHeap, rows: number): number {
  const program = new WasmProgram(tuningProgram(), {
    heap,
    program: "wasm-tuning",
    fma: wasmFeatures.relaxedSimd,
    matmulRows: rows,
    kernels: {},
  });
  const inputs = program.program.inputs.map((b) =>
    new Float32Array(program.program.buffers[b]!.size).fill(0.5),
  );
  const flops = 2 * 96 * 128 * 128;
  let best = Number.POSITIVE_INFINITY;
  const deadline = performance.now() + 25;
  for (let i = 0; i < 3 || performance.now() < deadline; i++) {
    const times: number[] = [];
    program.run(inputs, times);
    best = Math.min(best, times[0]!);
  }
  return flops / best / 1e6;
}

export type { MatmulTuning };
