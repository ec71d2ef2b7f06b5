import type { InstructionKernel, Kernel, KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { kernelWork } from "../../compiler/kernels/kernel-work.js";
import { planArena } from "../../compiler/plan-memory.js";
import { allocHost, type DType, type HostArray } from "../../ir/dtype.js";
import { type Storage, toHost } from "../../ir/storage.js";
import type { RefValue } from "../../isa/instruction.js";
import { type KernelTable, runReference } from "../kernel-table.js";
import { Schedule, type ScheduledStep } from "../pool/schedule.js";
import type { ThreadPool } from "../pool/thread-pool.js";
import type { StepRunner, TileKernel } from "../pool/worker-protocol.js";
import { addressOf } from "./ffi.js";
import type { KernelLibraries } from "./kernel-libraries.js";
import type { MatmulTuning } from "./matmul-tuning.js";
import type { NativeArena } from "./native-arena.js";
import { NativeBuffer, type NativeBufferPool } from "./native-buffer.js";
import type { RenderedNativeKernel } from "./native-kernel.js";
import type { NativeLoadMessage } from "./native-worker-protocol.js";
import { ParamsBlock } from "./params-block.js";
import { renderElementwise } from "./render-elementwise.js";
import { renderGather, renderScatterAdd } from "./render-indexing.js";
import { renderMatmul } from "./render-matmul.js";
import { renderDequantize, renderQuantizedMatmul } from "./render-quantized.js";
import { renderReduce } from "./render-reduce.js";
import {
  renderCol2im,
  renderIm2col,
  renderMaxPool2d,
  renderMaxPool2dArgmax,
  renderMaxPool2dGrad,
} from "./render-windows.js";

/** Inputs and outputs of at least this many bytes are used in place (smaller typed arrays may live on V8's heap, which moves). */
const IN_PLACE_BYTES = 64 * 1024;

/**
 * Below this much work a kernel runs on the calling thread: waking the workers costs
 * microseconds, which compiled code spends on a few hundred thousand elements or a few
 * million multiply-adds.
 */
export const PARALLEL_WORK = { elements: 256 * 1024, multiplyAdds: 4 * 1024 * 1024 } as const;

let nextProgramId = 1;

export interface NativeProgramContext {
  readonly arena: NativeArena;
  /** Where the program's outputs are kept between programs. */
  readonly buffers: NativeBufferPool;
  readonly libraries: KernelLibraries;
  /** The matmul blocking, measured on first need. */
  readonly matmulTuning: () => MatmulTuning;
  readonly lanes: number;
  readonly pool: ThreadPool | undefined;
  readonly threads: number;
  /** Work below which kernels run on one thread (default PARALLEL_WORK; tests set it low). */
  readonly parallelWork?: { readonly elements: number; readonly multiplyAdds: number };
  /** The target's own kernels for whole instructions. */
  readonly kernels: KernelTable<NativeInstructionKernel>;
}

/**
 * A kernel of the native target's own for one instruction: C source for a function over
 * tile units, with its parameters (see native-kernel.ts and kernel-params.ts).
 */
export type NativeInstructionKernel = (
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  threads: number,
  dtypeOf: (buffer: number) => DType,
) => RenderedNativeKernel | undefined;

/** The built-in kernel table: every other instruction is generated or run on `ref`. */
export const NATIVE_KERNELS: KernelTable<NativeInstructionKernel> = {
  dequantize: renderDequantize,
  quantizedMatmul: renderQuantizedMatmul,
  gather: renderGather,
  scatterAdd: renderScatterAdd,
  im2col: renderIm2col,
  col2im: renderCol2im,
  maxPool2d: renderMaxPool2d,
  maxPool2dArgmax: renderMaxPool2dArgmax,
  maxPool2dGrad: renderMaxPool2dGrad,
};

/**
 * A kernel program on the native target: buffers placed in the arena (the compiler's
 * plan), each generated kernel rendered as C and bound to its compiled library (compiled
 * now, or found in the cache), parameters in a shared block. Host kernels run their
 * reference semantics on views of the arena. Workers get the library paths and parameter
 * addresses, and run tiles of the same functions.
 */
export class NativeProgram {
  private readonly id = nextProgramId++;
  private readonly offsets: readonly number[];
  private readonly arenaBytes_: number;
  private readonly kernels: (TileKernel | undefined)[];
  /** The kernels in order, each with how it is split into tasks. */
  private readonly schedule: Schedule;
  /** Whether any kernel is split across threads (else the program runs on the calling thread). */
  private readonly parallel: boolean;
  private readonly runner: StepRunner & { host(kernel: number): void };
  private readonly params: ParamsBlock;
  /** How kernels that can fail (an index out of range) report it. */
  private readonly failures: (RenderedNativeKernel["failure"] | undefined)[];
  /** Program inputs and outputs that kernels may read or write outside the arena. */
  private readonly movable: number[];
  /** This run's buffers outside the arena, and their addresses. */
  private readonly outside = new Map<number, HostArray>();
  private readonly addresses = new Map<number, bigint>();
  /** What the workers need to run this program's kernels; sent before its first run on them. */
  private readonly loadMessage: NativeLoadMessage;
  private loadedOnWorkers = false;

  constructor(
    readonly program: KernelProgram,
    private readonly ctx: NativeProgramContext,
  ) {
    const arena = planArena(program);
    this.offsets = arena.offsets;
    this.arenaBytes_ = arena.bytes;
    const offset = (buffer: number) => this.offsets[buffer]!;
    const rendered: (RenderedNativeKernel | undefined)[] = program.kernels.map((kernel) => {
      switch (kernel.kind) {
        case "elementwise":
          return renderElementwise(kernel, offset);
        case "reduce":
          return renderReduce(kernel, offset, ctx.lanes);
        case "matmul":
          return renderMatmul(kernel, offset, ctx.matmulTuning(), ctx.threads);
        default: // an instruction kernel: the target's own, if it has one
          return ctx.kernels[kernel.instruction.name]?.(
            kernel,
            offset,
            ctx.threads,
            (b) => program.buffers[b]!.dtype,
          );
      }
    });
    const present = rendered.filter((r): r is RenderedNativeKernel => r !== undefined);
    const compiled = ctx.libraries.resolve(present.map((r) => r.code));
    this.params = new ParamsBlock(rendered.map((r) => r?.params));
    this.failures = rendered.map((r) => r?.failure);
    this.movable = [...new Set([...program.inputs, ...program.outputs])].filter((b) => this.params.uses(b));
    const addresses = this.params.addresses;
    let next = 0;
    const bound = rendered.map((r, k) => (r ? { ...compiled[next++]!, params: addresses[k]! } : undefined));
    this.kernels = bound.map((b) => {
      if (!b) return undefined;
      const { call, params } = b;
      return (begin: number, end: number) => call(params, begin, end);
    });
    this.schedule = new Schedule(
      program.kernels.flatMap((kernel, k): ScheduledStep[] => {
        // An instruction without a kernel here runs its reference semantics on the main thread.
        if (!this.kernels[k] && kernel.kind === "instruction")
          return [{ kernel: k, units: 1, chunk: 1, host: true }];
        const r = rendered[k];
        return !r || r.units === 0 ? [] : [{ kernel: k, units: r.units, chunk: chunkOf(kernel, r, ctx) }];
      }),
    );
    this.parallel = this.schedule.list.some((s) => s.chunk < s.units);
    this.runner = {
      kernel: (k) => this.kernels[k],
      host: (k) => this.runReference(this.program.kernels[k] as InstructionKernel),
    };
    this.loadMessage = {
      kernels: bound.map((b) => b && { path: b.path, symbol: b.symbol, params: b.params }),
    };
  }

  get arenaBytes(): number {
    return this.arenaBytes_;
  }

  /**
   * Runs the program with outputs left in native memory (`NativeBuffer`s, unreferenced: the
   * caller retains them); inputs are host arrays or device buffers. With `times`, records
   * each kernel's milliseconds in it.
   */
  runResident(inputs: readonly Storage[], times?: number[]): NativeBuffer[] {
    const outputs = this.program.outputs.map((b) => {
      const info = this.program.buffers[b]!;
      return this.ctx.buffers.alloc(info.dtype, info.size);
    });
    this.execute(inputs, outputs, times);
    return outputs;
  }

  /** Runs the program with host arrays in and out. */
  run(inputs: readonly HostArray[], times?: number[]): HostArray[] {
    const outputs = this.program.outputs.map((b) => {
      const info = this.program.buffers[b]!;
      const array = allocHost(info.dtype, info.size);
      return this.readInPlace(b, array) ? { array, address: addressOf(array) } : { array };
    });
    this.execute(inputs, outputs, times);
    return outputs.map((o) => o.array);
  }

  /**
   * Runs the program. Native buffers and large host arrays are read where they are, and
   * outputs with an address written where they are: a matrix-vector product then reads its
   * weights once, not three times, and a training step's state never leaves native memory.
   * The rest is copied through the arena.
   */
  private execute(
    inputs: readonly Storage[],
    outputs: readonly { array: HostArray; address?: bigint }[],
    times: number[] | undefined,
  ) {
    const { program, ctx } = this;
    ctx.arena.ensure(this.arenaBytes_);
    const arena = ctx.arena.address;
    this.params.setArena(arena);
    const { outside, addresses } = this;
    outside.clear();
    addresses.clear();
    program.inputs.forEach((b, i) => {
      const src = inputs[i]!;
      if (src instanceof NativeBuffer) {
        outside.set(b, src.array);
        addresses.set(b, src.address);
        return;
      }
      const host = toHost(src);
      if (this.readInPlace(b, host)) {
        outside.set(b, host);
        addresses.set(b, addressOf(host));
      } else {
        this.view(b).set(host);
      }
    });
    program.outputs.forEach((b, i) => {
      const { array, address } = outputs[i]!;
      // (an output that is also an input is copied from it below)
      if (address === undefined || outside.has(b) || program.inputs.includes(b)) return;
      outside.set(b, array);
      addresses.set(b, address);
    });
    for (const b of this.movable) {
      const address = addresses.get(b);
      this.params.placeBuffer(b, address !== undefined ? address - arena : BigInt(this.offsets[b]!));
    }
    this.runSteps(times);
    this.failures.forEach((failure, k) => {
      if (!failure || this.params.read(k, failure.slot) === 0n) return;
      this.params.write(k, failure.slot, 0n);
      throw failure.error(Number(this.params.read(k, failure.slot + 1)));
    });
    program.outputs.forEach((b, i) => {
      const { array } = outputs[i]!;
      if (outside.get(b) !== array) array.set(this.view(b));
    });
    outside.clear();
  }

  /**
   * Whether kernels can use the host array `array` in place of buffer `b`: the same element
   * type (no conversion), and large enough that V8 keeps it off its heap, where it never moves.
   */
  private readInPlace(b: number, array: HostArray): boolean {
    const dtype = this.program.buffers[b]!.dtype;
    const type = dtype === "float32" ? Float32Array : dtype === "int32" ? Int32Array : Uint8Array;
    return array instanceof type && array.byteLength >= IN_PLACE_BYTES && this.params.uses(b);
  }

  /** Buffer `b` as a typed array: outside the arena for this run, or in it. */
  private view(b: number): HostArray {
    const outside = this.outside.get(b);
    if (outside) return outside;
    const info = this.program.buffers[b]!;
    return this.ctx.arena.view(this.offsets[b]!, info.dtype, info.size);
  }

  /**
   * Runs the schedule: on the pool in one run when some kernel is worth splitting across
   * threads (the workers walk the kernels with this thread), else all here. With `times`,
   * each step runs on its own and is timed.
   */
  private runSteps(times: number[] | undefined) {
    const { schedule, runner } = this;
    const pool = this.ctx.pool;
    if (pool && this.parallel) {
      // Programs that never fill the threads (most small ones) never cost the workers a load.
      if (!this.loadedOnWorkers) {
        pool.load(this.id, schedule, this.loadMessage);
        this.loadedOnWorkers = true;
      }
      if (!times) {
        pool.run(this.id, schedule, runner);
        return;
      }
      schedule.list.forEach((step, s) => {
        const start = performance.now();
        pool.run(this.id, schedule, runner, 0, s, s + 1);
        times[step.kernel] = performance.now() - start;
      });
      return;
    }
    for (const step of schedule.list) {
      const start = times ? performance.now() : 0;
      if (step.host) runner.host(step.kernel);
      else this.kernels[step.kernel]!(0, step.units);
      if (times) times[step.kernel] = performance.now() - start;
    }
  }

  /** An instruction without a kernel here: its reference semantics on views of the arena. */
  private runReference(kernel: InstructionKernel) {
    const { program } = this;
    const refInputs: RefValue[] = kernel.inputs.map((b, i) => ({
      shape: kernel.inputShapes[i]!,
      dtype: program.buffers[b]!.dtype,
      data: this.view(b),
    }));
    const out: RefValue = {
      shape: kernel.shape,
      dtype: program.buffers[kernel.out]!.dtype,
      data: this.view(kernel.out),
    };
    runReference(kernel, refInputs, out);
  }
}

/**
 * Units per task: several tasks per thread for a kernel worth splitting, so a thread that
 * finishes early takes another (a matmul unit is a whole block of the product, worth a
 * task of its own); all units in one task below the work that pays for splitting.
 */
function chunkOf(kernel: Kernel, rendered: RenderedNativeKernel, ctx: NativeProgramContext): number {
  const { units } = rendered;
  const least = ctx.parallelWork ?? PARALLEL_WORK;
  // Kernels that multiply matrices are split by their multiply-adds, a unit per task (a
  // unit is a block of the product); the others by their size.
  const multiplyAdds = kernel.kind === "matmul" ? kernelWork(kernel) : rendered.multiplyAdds;
  const enough =
    multiplyAdds !== undefined ? multiplyAdds >= least.multiplyAdds : kernelWork(kernel) >= least.elements;
  if (!ctx.pool || units === 1 || !enough) return units;
  return multiplyAdds !== undefined ? 1 : Math.max(1, Math.ceil(units / (ctx.pool.threads * 4)));
}
