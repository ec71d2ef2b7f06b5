// Tensors to and from the safetensors format's typed arrays: F32, I32, BOOL and U8 (packed
// quantized weights), and a float32 value survives the trip bit for bit.

import type { SafetensorsDtype, SafetensorsTensor } from "../formats/safetensors.js";
import type { DType } from "../ir/dtype.js";
import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

const SAFETENSORS_DTYPE: Record<DType, SafetensorsDtype> = {
  float32: "F32",
  int32: "I32",
  bool: "BOOL",
  uint8: "U8",
};

/** Computes the tensor if pending and copies its values out. */
export function toSafetensorsTensor(value: Tensor): SafetensorsTensor {
  const values = value.dataSync();
  // A copy typed by dtype: the float64 variant of the ref target keeps float32 values in a
  // Float64Array, and safetensors wants arrays over a plain ArrayBuffer.
  const data =
    value.dtype === "float32"
      ? new Float32Array(values)
      : value.dtype === "int32"
        ? new Int32Array(values)
        : new Uint8Array(values);
  return { dtype: SAFETENSORS_DTYPE[value.dtype], shape: [...value.shape], data };
}

export function fromSafetensorsTensor(name: string, stored: SafetensorsTensor): Tensor {
  const { dtype, shape, data } = stored;
  if (dtype === "F32") return tensor(data as Float32Array, shape, { dtype: "float32" });
  if (dtype === "I32") return tensor(data as Int32Array, shape, { dtype: "int32" });
  if (dtype === "BOOL") return tensor(data as Uint8Array, shape, { dtype: "bool" });
  if (dtype === "U8") return tensor(data as Uint8Array, shape, { dtype: "uint8" });
  throw new Error(`tensor "${name}" is ${dtype}; only F32, I32, BOOL and U8 can be loaded`);
}
