import type { DeviceCommand, DeviceProgramSpec } from "./device-commands.js";
import { BufferUsage, MapMode } from "./gpu-constants.js";

/** Freed buffers kept for reuse, up to this many bytes (a training step frees and allocates the same sizes). */
const REUSE_BYTES = 256 * 2 ** 20;

interface LoadedProgram {
  readonly spec: DeviceProgramSpec;
  readonly pipelines: GPUComputePipeline[];
  readonly params: GPUBuffer;
}

/**
 * Carries out device commands on the thread that owns the GPUDevice. Errors the device
 * reports asynchronously (validation, out of memory, a lost device) are kept and thrown
 * at the next read, which is where a computation's result is first observed.
 */
export class DeviceExecutor {
  private readonly buffers = new Map<number, GPUBuffer>();
  private readonly programs = new Map<number, LoadedProgram>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly free = new Map<number, GPUBuffer[]>();
  private freeBytes = 0;
  private failure: string | undefined;

  constructor(readonly device: GPUDevice) {
    device.addEventListener("uncapturederror", (event) => {
      this.failure ??= (event as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      this.failure ??= `the GPU device was lost (${info.reason}): ${info.message}`;
    });
  }

  /** Compiles a program's shaders (pipelines are shared by every program with the same shader text). */
  async load(spec: DeviceProgramSpec): Promise<void> {
    const { device } = this;
    device.pushErrorScope("validation");
    const pipelines = spec.shaders.map((code) => {
      let pipeline = this.pipelines.get(code);
      if (!pipeline) {
        const module = device.createShaderModule({ code });
        pipeline = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
        this.pipelines.set(code, pipeline);
        void this.checkShader(module, code);
      }
      return pipeline;
    });
    const params = device.createBuffer({
      size: Math.max(16, spec.params.byteLength),
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    if (spec.params.byteLength > 0) device.queue.writeBuffer(params, 0, spec.params);
    this.programs.set(spec.id, { spec, pipelines, params });
    const error = await device.popErrorScope();
    if (error) throw new Error(`webgpu: a kernel failed to compile: ${error.message}`);
  }

  private async checkShader(module: GPUShaderModule, code: string): Promise<void> {
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === "error");
    if (errors.length) {
      const lines = code.split("\n");
      this.failure ??= `webgpu: WGSL error: ${errors
        .map((m) => `${m.message} (line ${m.lineNum}: ${lines[m.lineNum - 1]?.trim()})`)
        .join("; ")}`;
    }
  }

  unload(program: number): void {
    this.programs.get(program)?.params.destroy();
    this.programs.delete(program);
  }

  execute(commands: readonly DeviceCommand[]): void {
    let encoder: GPUCommandEncoder | undefined;
    const flush = () => {
      if (encoder) this.device.queue.submit([encoder.finish()]);
      encoder = undefined;
    };
    for (const c of commands) {
      switch (c.op) {
        case "create":
          this.buffers.set(c.buffer, this.allocate(c.bytes));
          break;
        case "release": {
          const buffer = this.buffers.get(c.buffer);
          this.buffers.delete(c.buffer);
          // Reuse is safe after work already recorded: the queue runs in order.
          if (buffer) {
            flush();
            this.recycle(buffer);
          }
          break;
        }
        case "write":
          // Queue writes are ordered with submissions: finish what was recorded first.
          flush();
          this.device.queue.writeBuffer(this.buffer(c.buffer), c.offset, c.data);
          break;
        case "run":
          encoder ??= this.device.createCommandEncoder();
          this.record(encoder, c);
          break;
      }
    }
    flush();
  }

  private record(encoder: GPUCommandEncoder, c: Extract<DeviceCommand, { op: "run" }>): void {
    const program = this.programs.get(c.program);
    if (!program) throw new Error(`internal: webgpu program ${c.program} is not loaded`);
    const pass = encoder.beginComputePass();
    for (let d = c.from; d < c.to; d++) {
      const dispatch = program.spec.dispatches[d]!;
      const pipeline = program.pipelines[dispatch.shader]!;
      const entries: GPUBindGroupEntry[] = [
        {
          binding: 0,
          resource: { buffer: program.params, offset: dispatch.paramsOffset, size: dispatch.paramsBytes },
        },
        ...dispatch.slots.map((slot, i) => ({
          binding: i + 1,
          resource: { buffer: this.buffer(c.slots[slot]!) },
        })),
      ];
      const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...dispatch.groups);
    }
    pass.end();
  }

  /** Copies `bytes` from a buffer into a staging buffer and maps it: the values on this thread. */
  async read(buffer: number, offset: number, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.buffer(buffer), offset, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    try {
      await staging.mapAsync(MapMode.READ);
    } catch (error) {
      staging.destroy();
      this.throwFailure();
      throw error;
    }
    const data = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    this.throwFailure();
    return data;
  }

  /** Waits until the device has done everything submitted; throws a failure it reported. */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
    this.throwFailure();
  }

  private throwFailure(): void {
    const failure = this.failure;
    if (failure === undefined) return;
    this.failure = undefined;
    throw new Error(failure.startsWith("webgpu") ? failure : `webgpu: ${failure}`);
  }

  private buffer(id: number): GPUBuffer {
    const buffer = this.buffers.get(id);
    if (!buffer) throw new Error(`internal: webgpu buffer ${id} does not exist`);
    return buffer;
  }

  private allocate(bytes: number): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.freeBytes -= size;
      return reused;
    }
    return this.device.createBuffer({
      size,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  private recycle(buffer: GPUBuffer): void {
    if (this.freeBytes + buffer.size > REUSE_BYTES) {
      buffer.destroy();
      return;
    }
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
    this.freeBytes += buffer.size;
  }
}
