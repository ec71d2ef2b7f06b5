// Converts a GGUF file's weights to another ggml type, as llama.cpp's quantize tool does
// with --pure: every weight matrix to one type (no per-layer mixes), everything else as it
// is. A matrix whose rows are not whole blocks of the type falls back the way llama.cpp
// falls back (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, otherwise F16): small models' rows are
// often 288 or 768 long, a multiple of 32 but not of 256. Tensors are converted one at a
// time while the output is written, so memory holds one tensor, not the model.
import { codecOf, dequantize, isQuantType, type QuantType, quantize } from "../../quant/index.js";
import { GGML_TYPE } from "./ggml-types.js";
import { GgufFile } from "./gguf-file.js";
import { type GgufValue, gguf } from "./gguf-values.js";
import type { GgufTensorInfo } from "./read-header.js";
import { type GgufTensorToWrite, writeGguf } from "./write-gguf.js";

/** llama.cpp's `general.file_type` for a file whose weights are all of one type. */
export const FILE_TYPE: Readonly<Record<QuantType, number>> = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q8_0: 7,
  Q5_0: 8,
  Q5_1: 9,
  Q4_K: 15,
  Q5_K: 17,
  Q6_K: 18,
  BF16: 32,
};

/** The type a row of `columns` values falls back to when it is not whole blocks of `type`. */
const FALLBACK: Partial<Record<QuantType, QuantType>> = { Q4_K: "Q5_0", Q5_K: "Q5_1", Q6_K: "Q8_0" };

export interface TensorConversion {
  readonly name: string;
  readonly shape: readonly number[];
  readonly from: string;
  /** The type written; the same as `from` for tensors kept as they are. */
  readonly to: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface QuantizeGgufOptions {
  readonly type: QuantType;
  /** Called after each tensor is written, with its index among `count`. */
  readonly onTensor?: (done: TensorConversion, index: number, count: number) => void;
}

/** The type a tensor is written as: weight matrices in `type` (or its fallback), the rest as they are. */
export function conversionTarget(info: GgufTensorInfo, type: QuantType): QuantType | undefined {
  const matrix =
    info.dims.length >= 2 &&
    info.name.endsWith(".weight") &&
    // llama.cpp keeps position embeddings and token-type tables as they are.
    !info.name.startsWith("position_embd.") &&
    !info.name.startsWith("token_types.");
  if (!matrix || !isQuantType(info.type.name)) return undefined;
  return rowType(info.dims[0]!, type);
}

/** `type`, or what llama.cpp writes instead when a row of `columns` values is not whole blocks of it. */
export function rowType(columns: number, type: QuantType): QuantType {
  let target: QuantType = type;
  if (columns % codecOf(target).blockSize !== 0) target = FALLBACK[target] ?? "F16";
  if (columns % codecOf(target).blockSize !== 0) target = "F16";
  return target;
}

/** Reads a tensor of a type the codecs know and encodes it as `to`, a block of rows at a time. */
function convert(file: GgufFile, info: GgufTensorInfo, from: QuantType, to: QuantType): Uint8Array {
  const columns = info.dims[0]!;
  const rows = info.elements / columns;
  const inRow = info.byteLength / rows;
  const outRow = (columns / codecOf(to).blockSize) * codecOf(to).blockBytes;
  const out = new Uint8Array(rows * outRow);
  const step = Math.max(1, Math.floor((1 << 22) / Math.max(1, columns)));
  const values = new Float32Array(step * columns);
  for (let row = 0; row < rows; row += step) {
    const count = Math.min(step, rows - row);
    const bytes = new Uint8Array(count * inRow);
    file.readTensorInto({ ...info, offset: info.offset + row * inRow, byteLength: bytes.length }, bytes);
    const decoded = dequantize(from, bytes, columns, values.subarray(0, count * columns));
    out.set(quantize(to, decoded, columns), row * outRow);
  }
  return out;
}

/**
 * Writes `output` with the metadata and tensors of `input`, weight matrices converted to
 * `options.type`. The output is written atomically (a crash leaves no partial file).
 */
export function quantizeGguf(
  input: string,
  output: string,
  options: QuantizeGgufOptions,
): TensorConversion[] {
  const file = GgufFile.open(input);
  try {
    const done: TensorConversion[] = [];
    const count = file.tensors.length;
    const tensors: GgufTensorToWrite[] = file.tensors.map((info, index) => {
      const target = conversionTarget(info, options.type);
      const type = target ? GGML_TYPE[target] : info.type;
      return {
        name: info.name,
        type,
        shape: info.shape,
        data: () => {
          const from = info.type.name;
          const bytes =
            target && target !== from && isQuantType(from)
              ? convert(file, info, from, target)
              : file.readTensorBytes(info);
          const conversion = {
            name: info.name,
            shape: info.shape,
            from,
            to: type.name,
            bytesIn: info.byteLength,
            bytesOut: bytes.length,
          };
          done.push(conversion);
          options.onTensor?.(conversion, index, count);
          return bytes;
        },
      };
    });
    const metadata = new Map<string, GgufValue>(file.metadata);
    metadata.set("general.file_type", gguf.uint32(FILE_TYPE[options.type]));
    if (options.type.startsWith("Q")) metadata.set("general.quantization_version", gguf.uint32(2));
    writeGguf(output, { version: file.version, metadata, tensors });
    return done;
  } finally {
    file.close();
  }
}
