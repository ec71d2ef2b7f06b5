import type { DType, HostArray } from "../../ir/dtype.js";
import { allocHost, bytesPer } from "../../ir/dtype.js";
import type { DeviceBuffer } from "../../ir/storage.js";
import type { WasmHeap } from "./heap.js";

/** A realised value kept in the wasm target's memory between programs. */
export class WasmBuffer implements DeviceBuffer {
  readonly kind = "device";
  private references = 0;
  private freed = false;

  constructor(
    readonly target: string,
    readonly heap: WasmHeap,
    readonly address: number,
    readonly dtype: DType,
    readonly size: number,
  ) {}

  get byteLength(): number {
    return this.size * bytesPer(this.dtype);
  }

  read(): HostArray {
    if (this.freed) throw new Error("internal: reading a freed wasm buffer");
    const out = allocHost(this.dtype, this.size);
    out.set(view(this.heap.memory, this.address, this.dtype, this.size));
    return out;
  }

  retain(): void {
    this.references++;
  }

  release(): void {
    if (--this.references > 0 || this.freed) return;
    this.freed = true;
    this.heap.release(this.address);
  }
}

export function view(memory: WebAssembly.Memory, offset: number, dtype: DType, size: number): HostArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(memory.buffer, offset, size);
    case "int32":
      return new Int32Array(memory.buffer, offset, size);
    case "bool":
    case "uint8":
      return new Uint8Array(memory.buffer, offset, size);
  }
}
