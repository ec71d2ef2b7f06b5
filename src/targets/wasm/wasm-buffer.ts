import type { DType, HostArray } from "../../ir/dtype.js";
import { allocHost } from "../../ir/dtype.js";
import { CountedDeviceBuffer } from "../../ir/storage.js";
import type { WasmHeap } from "./heap.js";

/** A realised value kept in the wasm target's memory between programs. */
export class WasmBuffer extends CountedDeviceBuffer {
  constructor(
    target: string,
    readonly heap: WasmHeap,
    readonly address: number,
    dtype: DType,
    size: number,
  ) {
    super(target, dtype, size);
  }

  read(): HostArray {
    this.assertLive();
    const out = allocHost(this.dtype, this.size);
    out.set(view(this.heap.memory, this.address, this.dtype, this.size));
    return out;
  }

  protected free(): void {
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
