// `infiniset/formats`: files other tools read and write, written atomically.
export { writeFileAtomicStreamSync, writeFileAtomicSync } from "./atomic-write.js";
export { parseCsv } from "./csv.js";
export {
  GGML_TYPES,
  type GgmlType,
  type GgmlTypeName,
  ggmlTypeById,
  ggmlTypeByName,
} from "./gguf/ggml-types.js";
export { GgufFile } from "./gguf/gguf-file.js";
export { GgufError, type GgufValue } from "./gguf/gguf-values.js";
export { type QuantizeGgufOptions, quantizeGguf } from "./gguf/quantize-gguf.js";
export { type GgufHeader, type GgufTensorInfo, readGgufHeader } from "./gguf/read-header.js";
export { type GgufContents, type GgufTensorToWrite, writeGguf } from "./gguf/write-gguf.js";
export {
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsTensor,
  writeSafetensors,
} from "./safetensors.js";
export { readSafetensorsFile, writeSafetensorsFile } from "./safetensors-file.js";
