import { bytesPer, type DType, type HostArray } from "./dtype.js";

/**
 * Where a realised value lives: a host typed array, or a buffer in a target's memory that
 * stays there between programs (a training loop's parameters never leave the wasm memory).
 * Device buffers are reference-counted: tensors that share a value (`detach`, `assign`)
 * each hold a reference, and the memory is freed when the last one lets go.
 */
export interface DeviceBuffer {
  readonly kind: "device";
  /** The target whose memory holds it. */
  readonly target: string;
  readonly dtype: DType;
  readonly size: number;
  readonly byteLength: number;
  /**
   * A host copy of the values. A target whose device cannot be waited for on this thread
   * (WebGPU in a browser) throws, saying to use `readAsync`.
   */
  read(): HostArray;
  /** A host copy of the values, without blocking (when absent, `read` is used). */
  readAsync?(): Promise<HostArray>;
  retain(): void;
  release(): void;
}

/**
 * What a target's device buffer shares with the others: a reference count (the last
 * `release` gives the memory back, once, through `free`) and the check that nothing reads
 * it after that.
 */
export abstract class CountedDeviceBuffer implements DeviceBuffer {
  readonly kind = "device";
  #references = 0;
  #freed = false;

  constructor(
    readonly target: string,
    readonly dtype: DType,
    readonly size: number,
  ) {}

  get byteLength(): number {
    return this.size * bytesPer(this.dtype);
  }

  abstract read(): HostArray;

  /** Gives the memory back; called once, by the last release. */
  protected abstract free(): void;

  retain(): void {
    this.#references++;
  }

  release(): void {
    if (--this.#references > 0 || this.#freed) return;
    this.#freed = true;
    this.free();
  }

  /** Throws once the buffer is freed: a read then is a bug in the runtime. */
  protected assertLive(): void {
    if (this.#freed) throw new Error(`internal: reading a freed ${this.target} buffer`);
  }
}

export type Storage = HostArray | DeviceBuffer;

export function isDeviceBuffer(s: Storage): s is DeviceBuffer {
  return (s as DeviceBuffer).kind === "device";
}

/** The values on the host: the array itself, or a copy read from the device. */
export function toHost(s: Storage): HostArray {
  return isDeviceBuffer(s) ? s.read() : s;
}

/** The values on the host, read asynchronously where the device needs it. */
export async function toHostAsync(s: Storage): Promise<HostArray> {
  return isDeviceBuffer(s) ? (s.readAsync ? s.readAsync() : s.read()) : s;
}
