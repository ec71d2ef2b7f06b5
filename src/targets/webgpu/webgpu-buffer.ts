import { allocHost, type DType, type HostArray } from "../../ir/dtype.js";
import { CountedDeviceBuffer } from "../../ir/storage.js";
import type { DeviceConnection } from "./device-connection.js";
import type { StatusChecks } from "./webgpu-status.js";

/** Every dtype takes one 32-bit word per element on the GPU (WGSL has no 8-bit storage). */
export const WORD_BYTES = 4;

/**
 * A realised value in GPU memory. It stays there between programs; reading it copies it
 * through a staging buffer: `readAsync` everywhere, `read` where the calling thread can
 * wait for the device (Node).
 */
export class WebgpuBuffer extends CountedDeviceBuffer {
  constructor(
    target: string,
    private readonly connection: DeviceConnection,
    /** Failures of checks in the programs before this read surface here. */
    private readonly status: StatusChecks,
    /** The device's name for it. */
    readonly id: number,
    dtype: DType,
    size: number,
  ) {
    super(target, dtype, size);
  }

  override get byteLength(): number {
    return this.size * WORD_BYTES;
  }

  read(): HostArray {
    this.assertLive();
    const words = this.connection.readSync(this.id, 0, this.byteLength);
    this.status.verifySync();
    return fromWords(words, this.dtype);
  }

  async readAsync(): Promise<HostArray> {
    this.assertLive();
    const words = this.connection.read(this.id, 0, this.byteLength);
    const verified = this.status.verify();
    await verified;
    return fromWords(await words, this.dtype);
  }

  protected free(): void {
    this.connection.enqueue({ op: "release", buffer: this.id });
  }
}

/**
 * Host values as the words the GPU holds: one per element (bytes and bools widened, float64
 * storage rounded to float32).
 */
export function toWords(values: HostArray, dtype: DType): ArrayBuffer {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values).buffer as ArrayBuffer;
    case "int32":
      return Int32Array.from(values).buffer as ArrayBuffer;
    case "uint8":
      return Uint32Array.from(values).buffer as ArrayBuffer;
    case "bool":
      return Uint32Array.from(values, (v) => (v ? 1 : 0)).buffer as ArrayBuffer;
  }
}

export function fromWords(words: ArrayBuffer, dtype: DType): HostArray {
  if (dtype === "float32") return new Float32Array(words);
  if (dtype === "int32") return new Int32Array(words);
  const out = allocHost(dtype, words.byteLength / WORD_BYTES);
  out.set(new Uint32Array(words));
  return out;
}
