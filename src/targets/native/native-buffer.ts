import type { DType, HostArray } from "../../ir/dtype.js";
import { allocHost, bytesPer } from "../../ir/dtype.js";
import { CountedDeviceBuffer } from "../../ir/storage.js";
import { addressOf } from "./ffi.js";

/**
 * A realised value kept in native memory between programs: a SharedArrayBuffer of its own,
 * whose memory never moves, so kernels read and write it in place through its address.
 * A training step's parameters, gradients and optimizer state stay there from step to
 * step; only what is read goes back to the host.
 */
export class NativeBuffer extends CountedDeviceBuffer {
  constructor(
    target: string,
    private readonly pool: NativeBufferPool,
    /** The values, a view of the whole block (`size` elements). */
    readonly array: HostArray,
    readonly address: bigint,
    dtype: DType,
    size: number,
  ) {
    super(target, dtype, size);
  }

  read(): HostArray {
    this.assertLive();
    const out = allocHost(this.dtype, this.size);
    out.set(this.array);
    return out;
  }

  protected free(): void {
    this.pool.recycle(this);
  }
}

/** Free blocks kept for reuse, at most this many bytes (beyond it, freed blocks go to the garbage collector). */
const KEEP_BYTES = 512 * 2 ** 20;

/**
 * Allocates NativeBuffers, reusing freed blocks of the same size: a training loop frees
 * and allocates the same sizes every step, so after the first step it allocates nothing
 * (no zero-filled memory, no page faults, nothing for the garbage collector).
 */
export class NativeBufferPool {
  private readonly free = new Map<string, NativeBuffer[]>();
  private freeBytes = 0;

  constructor(private readonly target: string) {}

  alloc(dtype: DType, size: number): NativeBuffer {
    const reused = this.free.get(key(dtype, size))?.pop();
    if (reused) {
      this.freeBytes -= reused.byteLength;
      return new NativeBuffer(this.target, this, reused.array, reused.address, dtype, size);
    }
    const bytes = Math.max(1, size * bytesPer(dtype));
    const memory = new SharedArrayBuffer(Math.ceil(bytes / 8) * 8);
    const array = view(memory, dtype, size);
    // (the address of a one-element view: an empty view may have none)
    const address = addressOf(view(memory, dtype, Math.max(1, size)));
    return new NativeBuffer(this.target, this, array, address, dtype, size);
  }

  recycle(buffer: NativeBuffer): void {
    if (this.freeBytes + buffer.byteLength > KEEP_BYTES) return;
    const k = key(buffer.dtype, buffer.size);
    const list = this.free.get(k) ?? [];
    list.push(buffer);
    this.free.set(k, list);
    this.freeBytes += buffer.byteLength;
  }
}

function key(dtype: DType, size: number): string {
  return `${dtype}:${size}`;
}

function view(memory: SharedArrayBuffer, dtype: DType, size: number): HostArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(memory, 0, size);
    case "int32":
      return new Int32Array(memory, 0, size);
    case "bool":
    case "uint8":
      return new Uint8Array(memory, 0, size);
  }
}
