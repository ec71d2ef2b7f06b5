import { describeKernel } from "../../compiler/kernels/describe.js";
import { fuseProgram } from "../../compiler/kernels/fuse.js";
import type { Program } from "../../compiler/program.js";
import type { HostArray } from "../../ir/dtype.js";
import type { ProgramProfile, Target } from "../target.js";
import { wasmFeatures } from "./features.js";
import { defaultThreadCount, ThreadPool } from "./thread-pool.js";
import { MAX_PAGES, WasmProgram } from "./wasm-program.js";

export interface WasmTargetOptions {
  name?: string;
  /** Threads including the calling one (default: INFINISET_THREADS, else the number of cores). */
  threads?: number;
  /** Fuse elementwise chains and reduction prologues (default true); off to measure what it buys. */
  fuse?: boolean;
}

/**
 * The WebAssembly target: the compiler's kernels rendered as WebAssembly (SIMD128) at run
 * time, sharing one memory. Every primitive runs here: as a generated kernel, or, for the
 * few without one (gather, scatterAdd, pad, concat, checkRange and user primitives),
 * through its reference semantics on the same memory.
 */
export function createWasmTarget(options: WasmTargetOptions = {}): Target {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const threads = options.threads ?? defaultThreadCount();
  // Workers start on first use, so importing the library costs nothing.
  let pool: ThreadPool | undefined;
  const getPool = () => (threads > 1 ? (pool ??= new ThreadPool(memory, threads)) : undefined);
  const compiled = new WeakMap<Program, WasmProgram>();
  const prepare = (program: Program) => {
    let wasm = compiled.get(program);
    if (!wasm) {
      const kernels = fuseProgram(program, { fuse: options.fuse ?? true, packPanel: 8, epilogues: true });
      wasm = new WasmProgram(kernels, { memory, pool: getPool(), fma: wasmFeatures.relaxedSimd });
      compiled.set(program, wasm);
    }
    return wasm;
  };
  return {
    name: options.name ?? "wasm",
    description: `WebAssembly SIMD kernels generated at run time, fused, on ${threads} thread${threads > 1 ? "s" : ""}${wasmFeatures.relaxedSimd ? ", relaxed-SIMD FMA" : ""}`,
    hasKernel: (instruction) => instruction.kind === "primitive",
    run(program: Program, inputs: readonly HostArray[]): HostArray[] {
      return prepare(program).run(inputs);
    },
    profile(program: Program, inputs: readonly HostArray[]): ProgramProfile {
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
