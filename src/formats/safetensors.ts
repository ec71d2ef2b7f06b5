// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
// header mapping each tensor name to { dtype, shape, data_offsets } plus an optional
// "__metadata__" string map, then the raw little-endian tensor bytes. Nothing in it is
// executable, and every offset is checked before use, so a hostile file can only fail to load.

type TypedArrayConstructor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor;

export type SafetensorsData = InstanceType<TypedArrayConstructor>;

// Half-precision and 8-bit float types have no JavaScript array; their raw bits are kept in
// an unsigned array of the same width and the dtype tag says how to read them.
const DTYPES = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  F8_E4M3: Uint8Array,
  F8_E5M2: Uint8Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} satisfies Record<string, TypedArrayConstructor>;

export type SafetensorsDtype = keyof typeof DTYPES;

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  /** Dimensions, outermost first; [] is a scalar. */
  shape: number[];
  /** Row-major elements, in the array type of the dtype (Uint16Array for F16 and BF16). */
  data: SafetensorsData;
}

export interface SafetensorsContents {
  /** Tensors in the order their bytes appear in the file. */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const METADATA_KEY = "__metadata__";
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

function requireLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error("safetensors: big-endian hosts are not supported");
}

function elementCount(shape: unknown, where: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(
      `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  const count = shape.reduce((product: number, d: number) => product * d, 1);
  if (!Number.isSafeInteger(count)) throw new Error(`${where}: shape ${JSON.stringify(shape)} is too large`);
  return count;
}

function validateMetadata(metadata: unknown, where: string): Record<string, string> {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new Error(`${where}: __metadata__ must be an object of strings`);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string")
      throw new Error(`${where}: __metadata__ value for "${key}" must be a string`);
  }
  return { ...(metadata as Record<string, string>) };
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseHeaderEntry(name: string, value: unknown, dataLength: number): HeaderEntry {
  const where = `safetensors: tensor "${name}"`;
  if (value === null || typeof value !== "object")
    throw new Error(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw new Error(
      `${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPES).join(", ")})`,
    );
  }
  const count = elementCount(shape, where);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new Error(`${where}: data_offsets must be [begin, end] non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new Error(
      `${where}: data_offsets [${begin}, ${end}] lie outside the ${dataLength}-byte data section`,
    );
  }
  const expected = count * DTYPES[dtype].BYTES_PER_ELEMENT;
  if (end - begin !== expected) {
    throw new Error(
      `${where}: shape ${JSON.stringify(shape)} of ${dtype} needs ${expected} bytes, but data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], begin, end };
}

/** Parses and validates a safetensors file held in memory. The tensors are copies. */
export function readSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw new Error(`safetensors: file is ${bytes.length} bytes, too short for a header`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new Error(
      `safetensors: header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  const dataLength = bytes.length - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`safetensors: header is not valid UTF-8 JSON: ${reason}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new Error("safetensors: header must be a JSON object");
  }

  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = validateMetadata(value, "safetensors");
    else entries.push(parseHeaderEntry(name, value, dataLength));
  }

  // Overlaps are errors. Unused bytes between tensors are tolerated on read (the format
  // says writers must not leave them, and writeSafetensors never does).
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: HeaderEntry | undefined;
  for (const entry of entries) {
    if (entry.begin === entry.end) continue; // an empty tensor occupies no bytes
    if (previous !== undefined && entry.begin < previous.end) {
      throw new Error(
        `safetensors: tensors "${previous.name}" [${previous.begin}, ${previous.end}) and "${entry.name}" [${entry.begin}, ${entry.end}) overlap`,
      );
    }
    previous = entry;
  }

  const tensors = new Map<string, SafetensorsTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    const ArrayType = DTYPES[dtype];
    if (ArrayType.BYTES_PER_ELEMENT > 1) requireLittleEndianHost();
    // Copying gives the typed array its own aligned buffer; offsets in the file need not be
    // aligned. (An explicit copy: a Node Buffer's slice() would be a view into shared memory.)
    const raw = new Uint8Array(end - begin);
    raw.set(bytes.subarray(dataStart + begin, dataStart + end));
    const data = new ArrayType(raw.buffer, 0, (end - begin) / ArrayType.BYTES_PER_ELEMENT);
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

function validateTensorForWriting(name: string, tensor: SafetensorsTensor): void {
  const where = `safetensors: tensor "${name}"`;
  if (name.length === 0 || name === METADATA_KEY) throw new Error(`${where}: invalid tensor name`);
  if (!isDtype(tensor.dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(tensor.dtype)}`);
  const ArrayType = DTYPES[tensor.dtype];
  if (!(tensor.data instanceof ArrayType)) {
    throw new Error(`${where}: ${tensor.dtype} data must be a ${ArrayType.name}`);
  }
  const count = elementCount(tensor.shape, where);
  if (tensor.data.length !== count) {
    throw new Error(
      `${where}: shape ${JSON.stringify(tensor.shape)} has ${count} elements, data has ${tensor.data.length}`,
    );
  }
}

/** Serializes tensors (and string metadata) to the bytes of a safetensors file. */
export function writeSafetensors(
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const named = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, tensor] of named) validateTensorForWriting(name, tensor);
  // Widest elements first keeps every tensor aligned to its element size without padding
  // between tensors, which the format forbids (the reference writer orders them the same way).
  const ordered = named
    .map(([name, tensor], index) => ({ name, tensor, index }))
    .sort((a, b) => b.tensor.data.BYTES_PER_ELEMENT - a.tensor.data.BYTES_PER_ELEMENT || a.index - b.index);

  // No prototype, so a tensor named "__proto__" becomes a key instead of changing the prototype.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) header[METADATA_KEY] = validateMetadata(metadata, "safetensors");
  let offset = 0;
  for (const { name, tensor } of ordered) {
    if (tensor.data.BYTES_PER_ELEMENT > 1) requireLittleEndianHost();
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.data.byteLength],
    };
    offset += tensor.data.byteLength;
  }

  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  // Spaces pad the header so the data section starts 8-byte aligned.
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    const padded = new Uint8Array(headerBytes.length + padding).fill(0x20);
    padded.set(headerBytes);
    headerBytes = padded;
  }
  const file = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  file.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const { tensor } of ordered) {
    file.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return file;
}
