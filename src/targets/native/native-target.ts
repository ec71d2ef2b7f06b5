import { describeKernel } from "../../compiler/kernels/describe.js";
import { fuseProgram } from "../../compiler/kernels/fuse.js";
import type { Program } from "../../compiler/program.js";
import type { HostArray } from "../../ir/dtype.js";
import type { Storage } from "../../ir/storage.js";
import { claims, type KernelTable } from "../kernel-table.js";
import { spawnNodeWorker } from "../pool/node-workers.js";
import { defaultThreadCount } from "../pool/thread-count.js";
import { ThreadPool } from "../pool/thread-pool.js";
import type { ProgramProfile, Target } from "../target.js";
import { createWasmTarget } from "../wasm/wasm-target.js";
import { CompilerUnavailableError, compilerCommand } from "./c-compiler.js";
import { nativeCacheDir } from "./cache-dir.js";
import { FfiUnavailableError } from "./ffi.js";
import { NativeCompileError } from "./kernel-libraries.js";
import { NativeArena } from "./native-arena.js";
import { NativeBufferPool } from "./native-buffer.js";
import { NATIVE_KERNELS, type NativeInstructionKernel, NativeProgram } from "./native-program.js";
import { type NativeToolchain, nativeToolchain } from "./native-toolchain.js";

export interface NativeTargetOptions {
  name?: string;
  /** Threads including the calling one (default: INFINISET_THREADS, else the number of cores). */
  threads?: number;
  /** Fuse elementwise chains and reduction prologues (default true). */
  fuse?: boolean;
  /** The C compiler command and its leading arguments (default: CC, else cc). */
  compiler?: readonly string[];
  /** Where compiled kernels are kept (default: see cache-dir.ts). */
  cacheDir?: string;
  /**
   * Work below which a kernel runs on the calling thread (elements; multiply-adds for
   * matmul). Default: native-program.ts's PARALLEL_WORK; tests set it to 1 so that even
   * small kernels are split across threads.
   */
  parallelWork?: { readonly elements: number; readonly multiplyAdds: number };
  /** Kernels of the target's own for whole instructions, added to (or replacing) the built-in table. */
  kernels?: KernelTable<NativeInstructionKernel>;
}

/**
 * The native target: the compiler's kernels rendered as C, compiled by the system C
 * compiler for this CPU into shared libraries (kept in a cache folder), called through
 * an FFI on one arena that the worker threads share, with the wasm target's tile
 * scheduling. A program whose kernels fail to compile (no compiler, a broken one) runs on
 * the wasm target instead, with one warning per target: never an error.
 */
export function createNativeTarget(options: NativeTargetOptions = {}): Target {
  const name = options.name ?? "native";
  const kernelTable = { ...NATIVE_KERNELS, ...options.kernels };
  const threads = options.threads ?? defaultThreadCount();
  const arena = new NativeArena();
  const buffers = new NativeBufferPool(name);
  let pool: ThreadPool | undefined;
  const getPool = () =>
    threads > 1
      ? (pool ??= new ThreadPool(
          {
            spawn: (data) => spawnNodeWorker(new URL("./native-worker.js", import.meta.url), data),
            label: "native target",
          },
          threads,
        ))
      : undefined;
  let toolchain: NativeToolchain | undefined;
  let fallback: Target | undefined;
  let warned = false;
  const compiled = new WeakMap<Program, NativeProgram | "fallback">();

  const fallBack = (program: Program, error: unknown) => {
    if (!warned) {
      warned = true;
      process.emitWarning(
        `native target: ${(error as Error).message}\nRunning on the wasm target instead (this warning is shown once).`,
        { code: "INFINISET_NATIVE_FALLBACK" },
      );
    }
    compiled.set(program, "fallback");
    return "fallback" as const;
  };
  const prepare = (program: Program): NativeProgram | "fallback" => {
    let native = compiled.get(program);
    if (native) return native;
    try {
      toolchain ??= nativeToolchain(
        options.compiler ?? compilerCommand(),
        options.cacheDir ?? nativeCacheDir(),
      );
      const t = toolchain;
      // The matmul tuning decides the width of the panels the compiler packs B into.
      const tuning = program.steps.some((s) => s.instruction.name === "matmul")
        ? t.matmulTuning()
        : undefined;
      const kernels = fuseProgram(program, {
        fuse: options.fuse ?? true,
        epilogues: true,
        ...(tuning ? { packPanel: tuning.nr, packRowsAbove: tuning.mu } : {}),
      });
      native = new NativeProgram(kernels, {
        arena,
        buffers,
        libraries: t.libraries,
        matmulTuning: t.matmulTuning,
        lanes: t.compiler.lanes,
        pool: getPool(),
        threads,
        kernels: kernelTable,
        ...(options.parallelWork ? { parallelWork: options.parallelWork } : {}),
      });
    } catch (error) {
      if (!isCompileFailure(error)) throw error;
      return fallBack(program, error);
    }
    compiled.set(program, native);
    return native;
  };
  const wasm = () =>
    (fallback ??= createWasmTarget({ name: `${name}-fallback`, threads, fuse: options.fuse ?? true }));

  return {
    name,
    get description() {
      let compiler = "no working C compiler";
      try {
        toolchain ??= nativeToolchain(
          options.compiler ?? compilerCommand(),
          options.cacheDir ?? nativeCacheDir(),
        );
        compiler = `${toolchain.compiler.version}, ${toolchain.compiler.lanes}-lane float32 vectors`;
      } catch {}
      return `C kernels compiled for this CPU (${compiler}), fused, on ${threads} thread${threads > 1 ? "s" : ""}`;
    },
    hasKernel: (instruction, attrs) => claims(kernelTable, instruction, attrs),
    // The compiled libraries are shared by every program (and kept on disk); a program holds
    // its parameters and bindings, about this much per kernel.
    prepare: (program) => {
      const native = prepare(program);
      return native === "fallback" ? 0 : 512 * native.program.kernels.length;
    },
    run(program: Program, inputs: readonly HostArray[]): HostArray[] {
      const native = prepare(program);
      return native === "fallback" ? wasm().run(program, inputs) : native.run(inputs);
    },
    // Realised values stay in native memory: a training loop's parameters, gradients and
    // optimizer state are written and read in place, step after step.
    runResident(program: Program, inputs: readonly Storage[]): Storage[] {
      const native = prepare(program);
      return native === "fallback" ? wasm().runResident!(program, inputs) : native.runResident(inputs);
    },
    profile(program: Program, inputs: readonly Storage[]): ProgramProfile {
      const native = prepare(program);
      if (native === "fallback") return wasm().profile!(program, inputs);
      const times: number[] = [];
      for (const output of native.runResident(inputs, times)) {
        output.retain();
        output.release();
      }
      return {
        kernels: native.program.kernels.map((k, i) => ({ ...describeKernel(k), ms: times[i]! })),
        arenaBytes: native.arenaBytes,
        buffers: native.program.buffers.length,
      };
    },
  };
}

/** Failures of the toolchain (compiler missing or failing, FFI missing), not bugs in the renderers. */
function isCompileFailure(error: unknown): boolean {
  return (
    error instanceof NativeCompileError ||
    error instanceof CompilerUnavailableError ||
    error instanceof FfiUnavailableError
  );
}
