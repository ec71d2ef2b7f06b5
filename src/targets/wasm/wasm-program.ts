import type { InstructionKernel, KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { kernelWork } from "../../compiler/kernels/kernel-work.js";
import { matmulBatchTable } from "../../compiler/kernels/matmul-batches.js";
import { planArena } from "../../compiler/plan-memory.js";
import type { HostArray } from "../../ir/dtype.js";
import { bytesPer } from "../../ir/dtype.js";
import { type Storage, toHost } from "../../ir/storage.js";
import type { Attrs, RefValue } from "../../isa/instruction.js";
import { type KernelTable, runReference } from "../kernel-table.js";
import { Schedule, type ScheduledStep } from "../pool/schedule.js";
import { ModuleBuilder } from "./emitter/module-builder.js";
import { ValType } from "./emitter/opcodes.js";
import type { WasmHeap } from "./heap.js";
import { hostFunctions, hostSignatures } from "./host-functions.js";
import { type RenderContext, type RenderedKernel, renderElementwise } from "./render-elementwise.js";
import { renderMatmul } from "./render-matmul.js";
import { renderDequantize, renderQuantizedMatmul } from "./render-quantized.js";
import { renderReduce } from "./render-reduce.js";
import { WASM_WINDOW_KERNELS } from "./render-windows.js";
import { addSimdMath } from "./simd-math.js";
import type { ThreadPool } from "./thread-pool.js";
import { view, WasmBuffer } from "./wasm-buffer.js";

/**
 * A kernel program compiled to one WebAssembly module: one exported function per
 * generated kernel, all addresses baked in from the arena plan. Host kernels run their
 * reference semantics on views of the same memory.
 */
let nextProgramId = 1;

/** Below this much work (elements, or multiply-adds for matmul) a kernel runs as one task. */
export const PARALLEL_WORK = 32 * 1024;

export interface WasmProgramOptions {
  /** The target's memory allocator (arenas and resident buffers). */
  readonly heap: WasmHeap;
  /** The target's name, carried by the buffers it returns. */
  readonly program: string;
  readonly pool?: ThreadPool | undefined;
  readonly fma: boolean;
  /** Register-block height of matmul kernels (tuned per machine). */
  readonly matmulRows: number;
  /** The target's own kernels for whole instructions. */
  readonly kernels: KernelTable<WasmInstructionKernel>;
  /** Work below which a kernel runs as one task (default PARALLEL_WORK; tests set it low). */
  readonly parallelWork?: number;
}

/**
 * A kernel of the wasm target's own for one instruction: renders a function over tile
 * units `(begin, end, arena base)`, like the generated kernels (find buffers with
 * `bindBufferBases` and `ctx.bufferOffset`); undefined runs the instruction's reference
 * semantics instead (a shape the kernel does not handle).
 */
export type WasmInstructionKernel = (
  kernel: InstructionKernel,
  ctx: RenderContext,
) => RenderedKernel | undefined;

/** The built-in kernel table: quantized weights and max pooling; every other instruction is generated or run on `ref`. */
export const WASM_KERNELS: KernelTable<WasmInstructionKernel> = {
  dequantize: renderDequantize,
  // Activations rounded as llama.cpp rounds them are rounded by fused kernels first (the
  // instruction's decomposition), then multiplied here in float32.
  quantizedMatmul: Object.assign(renderQuantizedMatmul.bind(null), {
    accepts: (attrs: Attrs) => !attrs.roundActivations,
  }),
  ...WASM_WINDOW_KERNELS,
};

export class WasmProgram {
  private readonly id = nextProgramId++;
  private readonly exports: Record<string, (begin: number, end: number, arena?: number) => void>;
  private readonly offsets: readonly number[];
  /** Arena offset of the table of input addresses, and each input buffer's index in it. */
  private readonly pointerTable: number;
  private readonly inputIndex = new Map<number, number>();
  /** Inputs' addresses during a run (program inputs are read where they are). */
  private inputAddresses: number[] = [];
  private readonly tables: { offset: number; data: Int32Array }[] = [];
  /** The kernels in order, each with how it is split into tasks. */
  private readonly schedule: Schedule;
  /** Whether any kernel is split across threads (else the program runs on the calling thread). */
  private readonly parallel: boolean;
  private readonly module: WebAssembly.Module;
  private loadedOnWorkers = false;
  readonly bytesNeeded: number;
  /** Size of the module binary (its compiled code is of the same order). */
  readonly moduleBytes: number;

  constructor(
    readonly program: KernelProgram,
    private readonly options: WasmProgramOptions,
  ) {
    for (const [i, b] of program.inputs.entries()) this.inputIndex.set(b, i);
    const arena = planArena(program, undefined, new Set(program.inputs));
    this.offsets = arena.offsets;
    let end = align(arena.bytes);
    this.pointerTable = end;
    end = align(end + 4 * program.inputs.length);
    const builder = new ModuleBuilder();
    const host: Record<string, number> = {};
    for (const [name, [params, results]] of Object.entries(hostSignatures)) {
      host[name] = builder.importFunction("host", name, params, results);
    }
    const simdMath = addSimdMath(builder);
    const ctx: RenderContext = {
      bufferOffset: (b) => (this.inputIndex.has(b) ? 0 : this.offsets[b]!),
      inputEntry: (b) => {
        const i = this.inputIndex.get(b);
        return i === undefined ? undefined : this.pointerTable + 4 * i;
      },
      host,
      simdMath,
    };
    // Constant tables (matmul batch offsets) follow the arena.
    const tableAt = new Map<number, number>();
    program.kernels.forEach((kernel, k) => {
      if (kernel.kind !== "matmul") return;
      const data = matmulBatchTable(kernel);
      tableAt.set(k, end);
      this.tables.push({ offset: end, data });
      end = align(end + data.byteLength);
    });
    this.bytesNeeded = end;
    const rendered: (RenderedKernel | undefined)[] = program.kernels.map((kernel, k) => {
      switch (kernel.kind) {
        case "elementwise":
          return renderElementwise(kernel, ctx);
        case "reduce":
          return renderReduce(kernel, ctx);
        case "matmul":
          return renderMatmul(kernel, ctx, {
            table: tableAt.get(k)!,
            fma: options.fma,
            rows: options.matmulRows,
            threads: options.pool?.threads ?? 1,
          });
        default: // an instruction kernel: the target's own, if it has one
          return options.kernels[kernel.instruction.name]?.(kernel, ctx);
      }
    });
    const pool = options.pool;
    this.schedule = new Schedule(
      program.kernels.map((kernel, k): ScheduledStep => {
        // An instruction without a kernel here runs its reference semantics on the main thread.
        if (!rendered[k] && kernel.kind === "instruction")
          return { kernel: k, units: 1, chunk: 1, host: true };
        const units = rendered[k]?.units ?? 1;
        // Several tasks per thread, so a thread that finishes early takes another.
        const work = rendered[k]?.multiplyAdds ?? kernelWork(kernel);
        const split = pool && units > 1 && work >= (options.parallelWork ?? PARALLEL_WORK);
        return {
          kernel: k,
          units,
          chunk: split ? Math.max(1, Math.ceil(units / (pool.threads * 4))) : units,
        };
      }),
    );
    this.parallel = this.schedule.list.some((s) => s.chunk < s.units);
    builder.importMemory("env", "memory", 1, MAX_PAGES, true);
    rendered.forEach((r, k) => {
      if (r) builder.addFunction([ValType.i32, ValType.i32, ValType.i32], [], r.code, `k${k}`);
    });
    const bytes = builder.toBytes();
    this.moduleBytes = bytes.byteLength;
    const module = new WebAssembly.Module(bytes as BufferSource);
    const instance = new WebAssembly.Instance(module, {
      env: { memory: options.heap.memory },
      host: hostFunctions,
    });
    this.exports = instance.exports as never;
    this.module = module;
  }

  /**
   * Runs the program in an arena allocated for this run. Inputs are host arrays or device
   * buffers; outputs stay in this target's memory as WasmBuffers (unreferenced: the caller
   * retains them). With `times`, records each kernel's milliseconds.
   */
  runResident(inputs: readonly Storage[], times?: number[]): WasmBuffer[] {
    const { program, heap } = this.options;
    const kernels = this.program;
    const arena = heap.alloc(this.bytesNeeded);
    // Values already in this memory are read in place; host values are copied in for the run.
    const staged: number[] = [];
    try {
      const memory = heap.memory;
      this.inputAddresses = kernels.inputs.map((b, i) => {
        const src = inputs[i]!;
        if (src instanceof WasmBuffer && src.heap === heap) return src.address;
        const host = toHost(src);
        const address = heap.alloc(host.byteLength);
        staged.push(address);
        view(memory, address, kernels.buffers[b]!.dtype, host.length).set(host);
        return address;
      });
      new Int32Array(memory.buffer, arena + this.pointerTable, this.inputAddresses.length).set(
        this.inputAddresses,
      );
      for (const t of this.tables) new Int32Array(memory.buffer, arena + t.offset, t.data.length).set(t.data);
      this.runSteps(arena, times);
      return kernels.outputs.map((b) => {
        const info = kernels.buffers[b]!;
        const bytes = info.size * bytesPer(info.dtype);
        const address = heap.alloc(bytes);
        new Uint8Array(memory.buffer).copyWithin(
          address,
          arena + this.offsets[b]!,
          arena + this.offsets[b]! + bytes,
        );
        return new WasmBuffer(program, heap, address, info.dtype, info.size);
      });
    } finally {
      heap.release(arena);
      for (const address of staged) heap.release(address);
    }
  }

  /** Runs the program with host arrays in and out. */
  run(inputs: readonly Storage[], times?: number[]): HostArray[] {
    return this.runResident(inputs, times).map((b) => {
      const host = b.read();
      b.retain();
      b.release();
      return host;
    });
  }

  /**
   * Runs the schedule: on the pool in one run when some kernel is worth splitting across
   * threads (the workers walk the kernels with this thread), else all here. With `times`,
   * each step runs on its own and is timed.
   */
  private runSteps(arena: number, times: number[] | undefined) {
    const { schedule } = this;
    const pool = this.options.pool;
    const runner = {
      kernel: (k: number) => this.exports[`k${k}`],
      host: (k: number) => this.runReference(this.program.kernels[k] as InstructionKernel, arena),
    };
    if (pool && this.parallel) {
      // Programs that never fill the threads never cost the workers an instantiation.
      if (!this.loadedOnWorkers) {
        pool.loadModule(this.id, schedule, this.module);
        this.loadedOnWorkers = true;
      }
      if (!times) {
        pool.run(this.id, schedule, runner, arena);
        return;
      }
      schedule.list.forEach((step, s) => {
        const start = performance.now();
        pool.run(this.id, schedule, runner, arena, s, s + 1);
        times[step.kernel] = performance.now() - start;
      });
      return;
    }
    for (const step of schedule.list) {
      const start = times ? performance.now() : 0;
      if (step.host) runner.host(step.kernel);
      else this.exports[`k${step.kernel}`]!(0, step.units, arena);
      if (times) times[step.kernel] = performance.now() - start;
    }
  }

  /** An instruction without a kernel here: its reference semantics on views of the same memory. */
  private runReference(kernel: InstructionKernel, arena: number) {
    const { program } = this;
    const memory = this.options.heap.memory;
    const at = (b: number) => {
      const input = this.inputIndex.get(b);
      return input === undefined ? arena + this.offsets[b]! : this.inputAddresses[input]!;
    };
    const refInputs: RefValue[] = kernel.inputs.map((b, i) => {
      const info = program.buffers[b]!;
      return {
        shape: kernel.inputShapes[i]!,
        dtype: info.dtype,
        data: view(memory, at(b), info.dtype, info.size),
      };
    });
    const outInfo = program.buffers[kernel.out]!;
    const out: RefValue = {
      shape: kernel.shape,
      dtype: outInfo.dtype,
      data: view(memory, at(kernel.out), outInfo.dtype, outInfo.size),
    };
    runReference(kernel, refInputs, out);
  }

  get arenaBytes(): number {
    return this.bytesNeeded;
  }
}

/** Largest memory the target may grow to (2 GiB): shared memories need a maximum. */
export const MAX_PAGES = 32768;

function align(n: number): number {
  return Math.ceil(n / 16) * 16;
}
