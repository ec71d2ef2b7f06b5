import { bytesPer } from "../../compiler/plan-memory.js";
import type { DType, HostArray } from "../../ir/dtype.js";
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
  private buffer = new SharedArrayBuffer(ALIGN);
  /** Bytes from the buffer's start to the aligned start of the arena. */
  private pad = 0;
  private base = 0n;
  /** Bumped at each replacement, so programs know to refresh the address. */
  generation = 0;

  constructor() {
    this.replace(0);
  }

  /** Makes room for `bytes` (the old contents are not kept: programs do not live across runs in it). */
  ensure(bytes: number): void {
    if (bytes > this.buffer.byteLength - this.pad)
      this.replace(Math.max(bytes, (this.buffer.byteLength - this.pad) * 2));
  }

  private replace(bytes: number) {
    this.buffer = new SharedArrayBuffer(bytes + ALIGN);
    const address = addressOf(new Uint8Array(this.buffer));
    this.pad = Number((BigInt(ALIGN) - (address % BigInt(ALIGN))) % BigInt(ALIGN));
    this.base = address + BigInt(this.pad);
    this.generation++;
  }

  get address(): bigint {
    return this.base;
  }

  /** A typed view of `size` elements at byte `offset` of the arena. */
  view(offset: number, dtype: DType, size: number): HostArray {
    const at = this.pad + offset;
    switch (dtype) {
      case "float32":
        return new Float32Array(this.buffer, at, size);
      case "int32":
        return new Int32Array(this.buffer, at, size);
      case "bool":
        return new Uint8Array(this.buffer, at, size * bytesPer("bool"));
    }
  }
}
