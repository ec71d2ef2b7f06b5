import type { Kernel, KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { planArena } from "../../compiler/plan-memory.js";
import { allocHost, type HostArray } from "../../ir/dtype.js";
import type { RefValue } from "../../isa/instruction.js";
import type { ThreadPool } from "../pool/thread-pool.js";
import type { TileKernel } from "../pool/worker-protocol.js";
import type { KernelLibraries } from "./kernel-libraries.js";
import type { MatmulTuning } from "./matmul-tuning.js";
import type { NativeArena } from "./native-arena.js";
import type { RenderedNativeKernel } from "./native-kernel.js";
import type { NativeLoadMessage } from "./native-worker-protocol.js";
import { ParamsBlock } from "./params-block.js";
import { renderElementwise } from "./render-elementwise.js";
import { renderMatmul } from "./render-matmul.js";
import { renderReduce } from "./render-reduce.js";

/** Below this much work (elements, or multiply-adds for matmul) a kernel runs on one thread. */
const PARALLEL_WORK = 32 * 1024;

let nextProgramId = 1;

export interface NativeProgramContext {
  readonly arena: NativeArena;
  readonly libraries: KernelLibraries;
  /** The matmul blocking, measured on first need. */
  readonly matmulTuning: () => MatmulTuning;
  readonly lanes: number;
  readonly pool: ThreadPool | undefined;
  readonly threads: number;
}

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
  private readonly units: number[];
  private readonly work: number[];
  private readonly params: ParamsBlock;

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
        default:
          return undefined;
      }
    });
    const present = rendered.filter((r): r is RenderedNativeKernel => r !== undefined);
    const compiled = ctx.libraries.resolve(present.map((r) => r.code));
    this.params = new ParamsBlock(rendered.map((r) => r?.params));
    const addresses = this.params.addresses;
    let next = 0;
    const bound = rendered.map((r, k) => (r ? { ...compiled[next++]!, params: addresses[k]! } : undefined));
    this.kernels = bound.map((b) => {
      if (!b) return undefined;
      const { call, params } = b;
      return (begin: number, end: number) => call(params, begin, end);
    });
    this.units = rendered.map((r) => r?.units ?? 0);
    this.work = program.kernels.map(workOf);
    const message: NativeLoadMessage = {
      programId: this.id,
      kernels: bound.map((b) => b && { path: b.path, symbol: b.symbol, params: b.params }),
    };
    ctx.pool?.loadMessage(message);
  }

  get arenaBytes(): number {
    return this.arenaBytes_;
  }

  /** Runs the program; with `times`, records each kernel's milliseconds in it. */
  run(inputs: readonly HostArray[], times?: number[]): HostArray[] {
    const { program, ctx } = this;
    ctx.arena.ensure(this.arenaBytes_);
    this.params.setArena(ctx.arena.address);
    program.inputs.forEach((b, i) => {
      const src = inputs[i]!;
      ctx.arena.view(this.offsets[b]!, program.buffers[b]!.dtype, src.length).set(src);
    });
    program.kernels.forEach((_, k) => {
      const start = times ? performance.now() : 0;
      this.runKernel(k);
      if (times) times[k] = performance.now() - start;
    });
    return program.outputs.map((b) => {
      const info = program.buffers[b]!;
      const copy = allocHost(info.dtype, info.size);
      copy.set(ctx.arena.view(this.offsets[b]!, info.dtype, info.size));
      return copy;
    });
  }

  private runKernel(k: number) {
    const kernel = this.program.kernels[k]!;
    if (kernel.kind === "host") {
      this.runHost(kernel);
      return;
    }
    const fn = this.kernels[k];
    const units = this.units[k]!;
    if (!fn || units === 0) return;
    const pool = this.ctx.pool;
    if (pool && units > 1 && this.work[k]! >= PARALLEL_WORK) {
      // Several tasks per thread, so a thread that finishes early takes another.
      const chunk = Math.max(1, Math.ceil(units / (pool.threads * 4)));
      pool.launch(this.id, k, units, chunk, fn);
    } else {
      fn(0, units);
    }
  }

  private runHost(kernel: Extract<Kernel, { kind: "host" }>) {
    const { program, ctx } = this;
    const refInputs: RefValue[] = kernel.inputs.map((b, i) => {
      const info = program.buffers[b]!;
      return {
        shape: kernel.inputShapes[i]!,
        dtype: info.dtype,
        data: ctx.arena.view(this.offsets[b]!, info.dtype, info.size),
      };
    });
    const outInfo = program.buffers[kernel.out]!;
    const out: RefValue = {
      shape: kernel.shape,
      dtype: outInfo.dtype,
      data: ctx.arena.view(this.offsets[kernel.out]!, outInfo.dtype, outInfo.size),
    };
    kernel.instruction.spec.ref!(refInputs, out, kernel.attrs);
  }
}

function workOf(kernel: Kernel): number {
  switch (kernel.kind) {
    case "matmul": {
      const k = kernel.a.view.shape[kernel.a.view.shape.length - 1]!;
      return kernel.shape.reduce((a, b) => a * b, 1) * k;
    }
    case "reduce":
    case "elementwise":
      return kernel.shape.reduce((a, b) => a * b, 1);
    default:
      return 0;
  }
}
