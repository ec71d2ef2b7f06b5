import type { InstructionKernel, Kernel, KernelProgram } from "../../compiler/kernels/kernel-ir.js";
import { planArena } from "../../compiler/plan-memory.js";
import type { DType, HostArray } from "../../ir/dtype.js";
import { isDeviceBuffer, type Storage, toHost } from "../../ir/storage.js";
import type { RefValue } from "../../isa/instruction.js";
import { type KernelTable, runReference } from "../kernel-table.js";
import type { DeviceProgramSpec, DispatchSpec } from "./device-commands.js";
import type { DeviceConnection } from "./device-connection.js";
import { renderElementwise } from "./render-elementwise.js";
import { type MatmulTiles, renderMatmul } from "./render-matmul.js";
import { renderReduce } from "./render-reduce.js";
import { fromWords, toWords, WebgpuBuffer, WORD_BYTES } from "./webgpu-buffer.js";
import type { WebgpuInstructionKernel } from "./webgpu-kernels.js";
import type { StatusChecks } from "./webgpu-status.js";
import { type BufferPlace, type RenderedKernel, STATUS_BUFFER } from "./wgsl-kernel.js";

/** What a program needs from its target: the device, buffer names, the shared arena and the adapter's limits. */
export interface WebgpuContext {
  readonly targetName: string;
  readonly connection: DeviceConnection;
  newBufferId(): number;
  newProgramId(): number;
  /** The arena buffer, at least `bytes` long (grown by replacing it; the queue keeps order). */
  arena(bytes: number): number;
  readonly matmulTiles: () => MatmulTiles;
  readonly maxGroups: number;
  readonly maxStorageBuffers: number;
  /** Whether the device has subgroup operations. */
  readonly subgroups: boolean;
  /** The target's own kernels for whole instructions. */
  readonly kernels: KernelTable<WebgpuInstructionKernel>;
  readonly status: StatusChecks;
}

/** Uniform bindings start at multiples of this. */
const PARAMS_ALIGN = 256;

/**
 * A kernel program on the GPU. Binding slot 0 is the arena, where intermediate values
 * live at planned offsets; each program input and output has a buffer of its own (inputs
 * are the tensors' resident buffers, outputs become new ones). Each generated kernel is a
 * compute shader dispatch; instruction kernels without a shader here read their inputs back,
 * run their reference semantics on this thread, and write their output: where the values
 * cannot be read synchronously (a browser), such a program fails with a clear message.
 */
export class WebgpuProgram {
  /** The device's name for the program (its shaders' pipelines and parameters). */
  readonly id: number;
  private readonly offsets: readonly number[];
  private readonly arenaBytes_: number;
  private readonly slotOf = new Map<number, number>();
  /** For each kernel, its dispatch, or undefined (run on the host, or nothing to do). */
  private readonly dispatchOf: (number | undefined)[] = [];
  private readonly spec: DeviceProgramSpec;
  private readonly statusSlot: number;
  /** Whether a kernel checks its input (and may record a failure in the status words). */
  private checks = false;
  private loaded = false;

  constructor(
    readonly program: KernelProgram,
    private readonly ctx: WebgpuContext,
  ) {
    this.id = ctx.newProgramId();
    for (const [i, b] of program.inputs.entries()) this.slotOf.set(b, 1 + i);
    for (const [i, b] of program.outputs.entries()) this.slotOf.set(b, 1 + program.inputs.length + i);
    this.statusSlot = 1 + program.inputs.length + program.outputs.length;
    // Bools take a word each here, so the arena is planned as if every buffer were int32.
    const words = {
      ...program,
      buffers: program.buffers.map((b) => ({ size: b.size, dtype: "int32" as const })),
    };
    const plan = planArena(words, () => 0, new Set(this.slotOf.keys()));
    this.offsets = plan.offsets;
    this.arenaBytes_ = plan.bytes;
    const place = (buffer: number): BufferPlace => {
      if (buffer === STATUS_BUFFER) return { slot: this.statusSlot, offset: 0 };
      const slot = this.slotOf.get(buffer);
      return slot === undefined
        ? { slot: 0, offset: this.offsets[buffer]! / WORD_BYTES }
        : { slot, offset: 0 };
    };
    const shaders: string[] = [];
    const chunks: Int32Array[] = [];
    const dispatches: DispatchSpec[] = [];
    let paramsBytes = 0;
    program.kernels.forEach((kernel, k) => {
      const rendered = this.render(kernel, place);
      if (!rendered) {
        this.dispatchOf.push(undefined);
        return;
      }
      for (const r of rendered) {
        if (r.slots.length > ctx.maxStorageBuffers) {
          throw new Error(
            `webgpu: a kernel reads ${r.slots.length} buffers, more than this adapter's ${ctx.maxStorageBuffers} (kernel ${k}: ${kernel.fused.join(", ")})`,
          );
        }
        if (r.slots.includes(this.statusSlot)) this.checks = true;
        let shader = shaders.indexOf(r.code);
        if (shader < 0) shader = shaders.push(r.code) - 1;
        const words = new Int32Array(r.params.bytes / 4);
        words.set(r.params.words);
        chunks.push(words);
        dispatches.push({
          shader,
          slots: r.slots,
          paramsOffset: paramsBytes,
          paramsBytes: words.byteLength,
          groups: r.groups,
        });
        paramsBytes += Math.ceil(words.byteLength / PARAMS_ALIGN) * PARAMS_ALIGN;
      }
      // The kernel's last dispatch (an instruction kernel may have none: nothing to do).
      this.dispatchOf.push(dispatches.length - 1);
    });
    const params = new Int32Array(paramsBytes / 4);
    for (const [i, c] of chunks.entries()) params.set(c, dispatches[i]!.paramsOffset / 4);
    this.spec = { id: this.id, shaders, params: params.buffer as ArrayBuffer, dispatches };
  }

  /** Frees the program's parameters on the device. */
  dispose(): void {
    if (this.loaded) this.ctx.connection.unload(this.id);
    this.loaded = false;
  }

  get arenaBytes(): number {
    return this.arenaBytes_;
  }

  /** The kernel's dispatches; undefined for an instruction kernel run on the host. */
  private render(kernel: Kernel, place: (b: number) => BufferPlace): RenderedKernel[] | undefined {
    const { ctx } = this;
    const one = (r: RenderedKernel | undefined) => (r ? [r] : []);
    switch (kernel.kind) {
      case "elementwise":
        return one(renderElementwise(kernel, place, ctx.maxGroups));
      case "reduce":
        return one(renderReduce(kernel, place, ctx.maxGroups, ctx.subgroups));
      case "matmul":
        return one(renderMatmul(kernel, place, ctx.matmulTiles(), ctx.maxGroups));
      case "instruction":
        return ctx.kernels[kernel.instruction.name]?.(kernel, {
          place,
          maxGroups: ctx.maxGroups,
          check: (message) => ctx.status.register(message),
          dtype: (buffer) => this.program.buffers[buffer]!.dtype,
        });
    }
  }

  /**
   * Runs the program on the device; the outputs stay there. With `afterKernel`, each kernel
   * is sent alone and the callback runs after it (profiling waits for the device there).
   */
  run(inputs: readonly Storage[], afterKernel?: (k: number) => void): WebgpuBuffer[] {
    const { ctx, program } = this;
    const { connection } = ctx;
    if (!this.loaded) {
      connection.load(this.spec);
      this.loaded = true;
    }
    const slots: number[] = [ctx.arena(this.arenaBytes_)];
    const temporary: WebgpuBuffer[] = [];
    const hostInputs = new Map<number, Storage>();
    program.inputs.forEach((b, i) => {
      const input = inputs[i]!;
      if (input instanceof WebgpuBuffer && input.target === ctx.targetName) {
        slots.push(input.id);
        return;
      }
      // Host arrays and other targets' buffers are uploaded for this run.
      const info = program.buffers[b]!;
      const upload = uploadBuffer(ctx, toHost(input), info.dtype);
      upload.retain();
      temporary.push(upload);
      hostInputs.set(b, input);
      slots.push(upload.id);
    });
    const outputs = program.outputs.map((b) => {
      const info = program.buffers[b]!;
      const out = this.newBuffer(info.dtype, info.size);
      slots.push(out.id);
      return out;
    });
    slots.push(ctx.status.buffer);
    if (this.checks) ctx.status.ran();
    try {
      this.runKernels(slots, hostInputs, afterKernel);
    } catch (error) {
      for (const out of outputs) {
        out.retain();
        out.release();
      }
      throw error;
    } finally {
      for (const t of temporary) t.release();
      connection.flush();
    }
    return outputs;
  }

  private runKernels(
    slots: readonly number[],
    hostInputs: Map<number, Storage>,
    afterKernel?: (k: number) => void,
  ) {
    const { program } = this;
    const { connection } = this.ctx;
    let from = 0;
    const send = (to: number) => {
      if (to > from) connection.enqueue({ op: "run", program: this.id, slots, from, to });
      from = to;
    };
    program.kernels.forEach((kernel, k) => {
      const dispatch = this.dispatchOf[k];
      if (dispatch !== undefined) {
        if (afterKernel) {
          send(dispatch + 1);
          connection.flush();
          afterKernel(k);
        }
        return;
      }
      if (kernel.kind !== "instruction") return;
      send(this.dispatchesBefore(k));
      this.runHost(kernel, slots, hostInputs);
      afterKernel?.(k);
    });
    send(this.spec.dispatches.length);
  }

  private dispatchesBefore(k: number): number {
    for (let j = k - 1; j >= 0; j--) {
      const d = this.dispatchOf[j];
      if (d !== undefined) return d + 1;
    }
    return 0;
  }

  private newBuffer(dtype: DType, size: number): WebgpuBuffer {
    return newBuffer(this.ctx, dtype, size);
  }

  private runHost(kernel: InstructionKernel, slots: readonly number[], hostInputs: Map<number, Storage>) {
    const { program, ctx } = this;
    const where = (b: number) => {
      const slot = this.slotOf.get(b);
      return slot === undefined
        ? { buffer: slots[0]!, offset: this.offsets[b]! }
        : { buffer: slots[slot]!, offset: 0 };
    };
    const refInputs: RefValue[] = kernel.inputs.map((b, i) => {
      const info = program.buffers[b]!;
      const host = hostInputs.get(b);
      const { buffer, offset } = where(b);
      const data =
        host && !isDeviceBuffer(host)
          ? host
          : fromWords(ctx.connection.readSync(buffer, offset, info.size * WORD_BYTES), info.dtype);
      return { shape: kernel.inputShapes[i]!, dtype: info.dtype, data };
    });
    const info = program.buffers[kernel.out]!;
    const out: RefValue = {
      shape: kernel.shape,
      dtype: info.dtype,
      data: fromWords(new ArrayBuffer(info.size * WORD_BYTES), info.dtype),
    };
    runReference(kernel, refInputs, out);
    if (info.size === 0) return;
    const { buffer, offset } = where(kernel.out);
    ctx.connection.enqueue({ op: "write", buffer, offset, data: toWords(out.data, info.dtype) });
  }
}

/** A new buffer on the device (its values are whatever a kernel writes). */
export function newBuffer(ctx: WebgpuContext, dtype: DType, size: number): WebgpuBuffer {
  const id = ctx.newBufferId();
  ctx.connection.enqueue({ op: "create", buffer: id, bytes: size * WORD_BYTES });
  return new WebgpuBuffer(ctx.targetName, ctx.connection, ctx.status, id, dtype, size);
}

/** Host values copied into a new device buffer. */
export function uploadBuffer(ctx: WebgpuContext, values: HostArray, dtype: DType): WebgpuBuffer {
  const buffer = newBuffer(ctx, dtype, values.length);
  if (values.length > 0)
    ctx.connection.enqueue({ op: "write", buffer: buffer.id, offset: 0, data: toWords(values, dtype) });
  return buffer;
}
