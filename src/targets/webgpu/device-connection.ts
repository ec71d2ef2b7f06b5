import type { AdapterReport, DeviceCommand, DeviceProgramSpec } from "./device-commands.js";
import type { DeviceExecutor } from "./device-executor.js";

/**
 * The calling thread's link to the GPU device: commands are queued and sent in batches;
 * reads come back asynchronously everywhere, and synchronously where the device lives on
 * another thread that this one can wait for (Node: see worker-connection.ts).
 */
export interface DeviceConnection {
  readonly report: AdapterReport;
  /** Whether `readSync` works here. */
  readonly canReadSync: boolean;
  /** Compiles a program's shaders (in Node, waits and throws a compile error here). */
  load(spec: DeviceProgramSpec): void;
  unload(program: number): void;
  enqueue(command: DeviceCommand): void;
  /** Sends the queued commands. */
  flush(): void;
  readSync(buffer: number, offset: number, bytes: number): ArrayBuffer;
  read(buffer: number, offset: number, bytes: number): Promise<ArrayBuffer>;
}

export const SYNC_READ_MESSAGE =
  "webgpu: values on the GPU are read asynchronously here (the device lives on this thread, which cannot wait for it): use `await tensor.data()` instead of dataSync(), item(), toArray() or printing";

/** A device on the calling thread (browsers): commands run at once, reads only asynchronously. */
export class InThreadConnection implements DeviceConnection {
  readonly canReadSync = false;
  private queue: DeviceCommand[] = [];
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly executor: DeviceExecutor,
    readonly report: AdapterReport,
  ) {}

  load(spec: DeviceProgramSpec): void {
    // Pipelines exist at once; a compile error is reported at the next read.
    const loaded = this.executor.load(spec);
    this.loading = this.loading.then(() => loaded);
  }

  unload(program: number): void {
    this.flush();
    this.executor.unload(program);
  }

  enqueue(command: DeviceCommand): void {
    this.queue.push(command);
  }

  flush(): void {
    const queue = this.queue;
    this.queue = [];
    if (queue.length) this.executor.execute(queue);
  }

  readSync(): ArrayBuffer {
    throw new Error(SYNC_READ_MESSAGE);
  }

  async read(buffer: number, offset: number, bytes: number): Promise<ArrayBuffer> {
    this.flush();
    await this.loading;
    return this.executor.read(buffer, offset, bytes);
  }
}
