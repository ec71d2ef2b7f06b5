import type { DType, HostArray } from "../../ir/dtype.js";
import { bytesPer } from "../../ir/dtype.js";
import { addressOf } from "./ffi.js";

/** Alignment of the arena's start (a cache line, the widest vector). */
const ALIGN = 64;

/**
 * The memory every program of a native target runs in: one SharedArrayBuffer, whose
 * address C kernels receive as a pointer (a SharedArrayBuffer's memory never moves, and
 * worker threads could map it too). Programs place their buffers at offsets from its
 * aligned start. It grows by replacement: a larger buffer, and a new address, which each
 * program writes into its kernels' parameters before it next runs.
 */
export class NativeArena {
  /** Allocated at the first `ensure` (a target that never runs a program needs no FFI). */
  private buffer: SharedArrayBuffer | undefined;
  /** Bytes from the buffer's start to the aligned start of the arena. */
  private pad = 0;
  private base = 0n;

  /** Makes room for `bytes` (the old contents are not kept: nothing lives across runs in it). */
  ensure(bytes: number): void {
    const have = this.buffer ? this.buffer.byteLength - this.pad - ALIGN : -1;
    if (bytes > have) this.replace(Math.max(bytes, have * 2, ALIGN));
  }

  private replace(bytes: number) {
    this.buffer = new SharedArrayBuffer(bytes + 2 * ALIGN);
    const address = addressOf(new Uint8Array(this.buffer));
    this.pad = Number((BigInt(ALIGN) - (address % BigInt(ALIGN))) % BigInt(ALIGN));
    this.base = address + BigInt(this.pad);
  }

  /** The arena's aligned start (after `ensure`). */
  get address(): bigint {
    return this.base;
  }

  /** A typed view of `size` elements at byte `offset` of the arena (after `ensure`). */
  view(offset: number, dtype: DType, size: number): HostArray {
    const buffer = this.buffer!;
    const at = this.pad + offset;
    switch (dtype) {
      case "float32":
        return new Float32Array(buffer, at, size);
      case "int32":
        return new Int32Array(buffer, at, size);
      case "bool":
      case "uint8":
        return new Uint8Array(buffer, at, size * bytesPer(dtype));
    }
  }
}
