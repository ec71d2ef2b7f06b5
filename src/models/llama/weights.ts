// Reading a model's tensors from a GGUF file into tensors, each read once at its position
// into the array the tensor keeps. Weight matrices of a type the quantized matmul computes
// with (F16, BF16, Q8_0, …, Q6_K) stay as the file's packed rows, so memory is the file's
// size; float32 matrices are transposed to the layout the float matmul reads; vectors and
// the rest are decoded to float32 by their codec.
import { ggmlByteLength } from "../../formats/gguf/ggml-types.js";
import type { GgufFile } from "../../formats/gguf/gguf-file.js";
import type { GgufTensorInfo } from "../../formats/gguf/read-header.js";
import { dequantize, isQuantType, type QuantType } from "../../quant/index.js";
import { adoptArray } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

// Rows decoded per read, so a quantized matrix never exists twice in memory whole.
const ROWS_PER_READ = 256;

function checkShape(file: GgufFile, info: GgufTensorInfo, shape: readonly number[] | undefined): void {
  if (shape && (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i]))) {
    throw new Error(`${file.source}: tensor ${info.name} is [${info.shape}], expected [${shape}]`);
  }
}

/** The values of tensor `name` as float32, shaped outermost first; checks the shape when given. */
export function readFloat32(file: GgufFile, name: string, shape?: readonly number[]): Float32Array {
  const info = file.tensor(name);
  checkShape(file, info, shape);
  const values = new Float32Array(info.elements);
  if (info.type.name === "F32") {
    file.readTensorInto(info, new Uint8Array(values.buffer));
    return values;
  }
  const type = info.type.name;
  if (!isQuantType(type)) {
    throw new Error(`${file.source}: tensor ${name} is ${type}, a type infiniset does not compute with`);
  }
  const columns = info.dims[0] ?? 1;
  const rows = info.elements / columns;
  const rowBytes = ggmlByteLength(info.type, columns);
  for (let row = 0; row < rows; row += ROWS_PER_READ) {
    const count = Math.min(ROWS_PER_READ, rows - row);
    const bytes = new Uint8Array(count * rowBytes);
    file.readTensorInto({ ...info, offset: info.offset + row * rowBytes, byteLength: bytes.length }, bytes);
    dequantize(type, bytes, columns, values.subarray(row * columns, (row + count) * columns));
  }
  return values;
}

/** Tensor `name` as a float32 tensor (see readFloat32). */
export function loadWeight(file: GgufFile, name: string, shape?: readonly number[]): Tensor {
  return adoptArray(readFloat32(file, name, shape), file.tensor(name).shape);
}

/**
 * Matrices `names` ([out_i, in] in the file) side by side and transposed: [in, Σ out_i],
 * the layout the matmul kernels read a right operand in, so x·W needs no copy of W at any
 * step, and projections of the same input (q, k and v; gate and up) are one matmul.
 */
export function loadTransposed(
  file: GgufFile,
  names: readonly string[],
  shapes: readonly (readonly [number, number])[],
): Tensor {
  const columns = shapes[0]![1];
  const width = shapes.reduce((total, [rows]) => total + rows, 0);
  const out = new Float32Array(columns * width);
  let first = 0;
  names.forEach((name, i) => {
    const [rows] = shapes[i]!;
    const values = readFloat32(file, name, shapes[i]);
    // In tiles, so both arrays are walked through the cache rather than one at a stride.
    const tile = 64;
    for (let r0 = 0; r0 < rows; r0 += tile) {
      for (let c0 = 0; c0 < columns; c0 += tile) {
        const r1 = Math.min(rows, r0 + tile);
        const c1 = Math.min(columns, c0 + tile);
        for (let r = r0; r < r1; r++) {
          for (let c = c0; c < c1; c++) out[c * width + first + r] = values[r * columns + c]!;
        }
      }
    }
    first += rows;
  });
  return adoptArray(out, [columns, width]);
}

/**
 * Matrices `names` ([out_i, in] in the file), all of one type that the quantized matmul
 * computes with, as their raw rows stacked: uint8 [Σ out_i, rowBytes], read straight from
 * the file (memory is the file's size). Undefined when the types differ or are float32.
 */
export function loadPacked(
  file: GgufFile,
  names: readonly string[],
): { weight: Tensor; type: QuantType } | undefined {
  const infos = names.map((name) => file.tensor(name));
  const type = infos[0]!.type.name;
  if (
    type === "F32" ||
    !isQuantType(type) ||
    infos.some((t) => t.type.name !== type || t.dims[0] !== infos[0]!.dims[0])
  ) {
    return undefined;
  }
  const rowBytes = ggmlByteLength(infos[0]!.type, infos[0]!.dims[0]!);
  const rows = infos.reduce((total, t) => total + t.byteLength / rowBytes, 0);
  const bytes = new Uint8Array(rows * rowBytes);
  let at = 0;
  for (const info of infos) {
    file.readTensorInto(info, bytes.subarray(at, at + info.byteLength));
    at += info.byteLength;
  }
  return { weight: adoptArray(bytes, [rows, rowBytes]), type };
}
