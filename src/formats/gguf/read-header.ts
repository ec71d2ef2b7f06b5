// Parses the header of a GGUF file (versions 2 and 3): magic, version, counts, the metadata
// key-value pairs and the tensor-info table. Every count and length is checked against the
// bytes left in the file before anything is allocated for it, so a hostile or damaged file
// fails with one error naming the key or tensor, and never allocates more than its size.
import type { ByteSource } from "./byte-source.js";
import { type GgmlType, ggmlByteLength, ggmlTypeById } from "./ggml-types.js";
import {
  fixedSizeOf,
  GGUF_VALUE_TYPES,
  type GgufArray,
  type GgufArrayItems,
  GgufError,
  type GgufString,
  type GgufValue,
  type GgufValueType,
} from "./gguf-values.js";

export const GGUF_MAGIC = "GGUF";
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml refuses tensors of more dimensions. */
export const GGUF_MAX_DIMS = 4;
const MAX_ARRAY_NESTING = 16;
const WINDOW_BYTES = 1 << 20;

export interface GgufTensorInfo {
  readonly name: string;
  readonly type: GgmlType;
  /** Dimensions as the file stores them: innermost (ggml's ne[0], a row's length) first. */
  readonly dims: readonly number[];
  /** Dimensions outermost first, as tensors are shaped here (dims reversed). */
  readonly shape: readonly number[];
  readonly elements: number;
  /** Start of the data, relative to the start of the data section. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface GgufHeader {
  readonly version: 2 | 3;
  /** Key-value pairs in file order. */
  readonly metadata: ReadonlyMap<string, GgufValue>;
  /** Tensor infos in file order. */
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** Absolute position where the data section starts (after the infos, aligned). */
  readonly dataOffset: number;
  /** Size of the whole file. */
  readonly byteLength: number;
}

// Reads little-endian values through a window of the source, loading the next window when
// a read runs past it. `where` names what is being read, for error messages.
class Cursor {
  position = 0;
  where = "header";
  #window: Uint8Array = new Uint8Array(0);
  #view = new DataView(this.#window.buffer);
  #start = 0;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(private readonly source: ByteSource) {}

  get remaining(): number {
    return this.source.size - this.position;
  }

  fail(message: string): never {
    throw new GgufError(`${this.where}: ${message}`);
  }

  /** Fails unless `count` items of at least `bytesEach` bytes fit in what is left. */
  checkCount(count: bigint, bytesEach: number, what: string): number {
    if (count * BigInt(bytesEach) > BigInt(this.remaining)) {
      this.fail(
        `${what} ${count} cannot fit in the ${this.remaining} bytes left in the file (truncated or corrupt)`,
      );
    }
    return Number(count);
  }

  #need(n: number): number {
    if (n > this.remaining) {
      this.fail(`the file ends at byte ${this.source.size}, ${n} bytes are needed at byte ${this.position}`);
    }
    const at = this.position - this.#start;
    if (at >= 0 && at + n <= this.#window.length) return at;
    const length = Math.min(Math.max(n, WINDOW_BYTES), this.source.size - this.position);
    this.#window = this.source.read(this.position, length);
    this.#view = new DataView(this.#window.buffer, this.#window.byteOffset, this.#window.byteLength);
    this.#start = this.position;
    return 0;
  }

  bytes(n: number): Uint8Array {
    const at = this.#need(n);
    this.position += n;
    return this.#window.subarray(at, at + n);
  }

  u8(): number {
    const at = this.#need(1);
    this.position += 1;
    return this.#view.getUint8(at);
  }

  u32(): number {
    const at = this.#need(4);
    this.position += 4;
    return this.#view.getUint32(at, true);
  }

  u64(): bigint {
    const at = this.#need(8);
    this.position += 8;
    return this.#view.getBigUint64(at, true);
  }

  /** A uint64 that must be a safe JavaScript number. */
  size(what: string): number {
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} ${value} is absurdly large`);
    return Number(value);
  }

  string(): GgufString {
    const length = this.checkCount(this.u64(), 1, "string length");
    const raw = this.bytes(length);
    try {
      return this.#decoder.decode(raw);
    } catch {
      return raw.slice();
    }
  }
}

function readNumbers(cursor: Cursor, type: GgufValueType, count: number): GgufArrayItems {
  const size = fixedSizeOf(type)!;
  // A copy, so the typed array is aligned and independent of the read window.
  const buffer = cursor.bytes(count * size).slice().buffer;
  switch (type) {
    case "uint8":
      return new Uint8Array(buffer);
    case "int8":
      return new Int8Array(buffer);
    case "uint16":
      return new Uint16Array(buffer);
    case "int16":
      return new Int16Array(buffer);
    case "uint32":
      return new Uint32Array(buffer);
    case "int32":
      return new Int32Array(buffer);
    case "float32":
      return new Float32Array(buffer);
    case "float64":
      return new Float64Array(buffer);
    case "uint64":
      return new BigUint64Array(buffer);
    case "int64":
      return new BigInt64Array(buffer);
    default: {
      const bools: boolean[] = [];
      for (const byte of new Uint8Array(buffer)) bools.push(checkBool(cursor, byte));
      return bools;
    }
  }
}

function checkBool(cursor: Cursor, byte: number): boolean {
  if (byte > 1) cursor.fail(`a bool must be 0 or 1, found ${byte}`);
  return byte === 1;
}

function valueType(cursor: Cursor): GgufValueType {
  const id = cursor.u32();
  const type = GGUF_VALUE_TYPES[id];
  if (type === undefined) cursor.fail(`unknown value type ${id}`);
  return type;
}

function readArray(cursor: Cursor, depth: number): GgufArray {
  if (depth > MAX_ARRAY_NESTING) cursor.fail(`arrays nested more than ${MAX_ARRAY_NESTING} deep`);
  const itemType = valueType(cursor);
  const fixed = fixedSizeOf(itemType);
  // Strings take at least their 8-byte length, arrays their type and count.
  const count = cursor.checkCount(cursor.u64(), fixed ?? (itemType === "string" ? 8 : 12), "array length");
  if (fixed !== undefined) return { type: "array", itemType, items: readNumbers(cursor, itemType, count) };
  if (itemType === "string") {
    const items: GgufString[] = [];
    for (let i = 0; i < count; i++) items.push(cursor.string());
    return { type: "array", itemType, items };
  }
  const items: GgufArray[] = [];
  for (let i = 0; i < count; i++) items.push(readArray(cursor, depth + 1));
  return { type: "array", itemType, items };
}

function readValue(cursor: Cursor, type: GgufValueType): GgufValue {
  if (type === "array") return readArray(cursor, 1);
  if (type === "string") return { type, value: cursor.string() };
  if (type === "bool") return { type, value: checkBool(cursor, cursor.u8()) };
  const items = readNumbers(cursor, type, 1);
  if (type === "uint64" || type === "int64") return { type, value: (items as BigInt64Array)[0]! };
  return { type, value: (items as Float64Array)[0]! };
}

function readVersion(cursor: Cursor): 2 | 3 {
  const magic = cursor.bytes(4);
  if (String.fromCharCode(...magic) !== GGUF_MAGIC) {
    const shown = [...magic].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    cursor.fail(`not a GGUF file: it starts with bytes ${shown}, not "GGUF"`);
  }
  const version = cursor.u32();
  if (version === 2 || version === 3) return version;
  // A big-endian file's version reads as 0x02000000 or 0x03000000 here.
  if (version === 0x02000000 || version === 0x03000000) {
    cursor.fail("big-endian GGUF files are not supported");
  }
  cursor.fail(`GGUF version ${version} is not supported (versions 2 and 3 are)`);
}

function readAlignment(metadata: ReadonlyMap<string, GgufValue>): number {
  const value = metadata.get("general.alignment");
  if (value === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (value.type !== "uint32") {
    throw new GgufError(`general.alignment: must be a uint32, found ${value.type}`);
  }
  const alignment = value.value;
  if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufError(`general.alignment: must be a power of two, found ${alignment}`);
  }
  return alignment;
}

function readTensorInfo(cursor: Cursor, index: number, alignment: number): GgufTensorInfo {
  cursor.where = `tensor ${index}`;
  const rawName = cursor.string();
  const name = typeof rawName === "string" ? rawName : new TextDecoder().decode(rawName);
  cursor.where = `tensor ${JSON.stringify(name)}`;
  const rank = cursor.u32();
  if (rank > GGUF_MAX_DIMS) cursor.fail(`${rank} dimensions (at most ${GGUF_MAX_DIMS})`);
  const dims: number[] = [];
  let elements = 1;
  for (let d = 0; d < rank; d++) {
    const dim = cursor.size("dimension");
    dims.push(dim);
    elements *= dim;
  }
  const typeId = cursor.u32();
  const type = ggmlTypeById(typeId);
  if (type === undefined) cursor.fail(`unknown tensor type ${typeId}`);
  const offset = cursor.size("data offset");
  if (!Number.isSafeInteger(elements)) cursor.fail(`dimensions [${dims}] are absurdly large`);
  let byteLength: number;
  try {
    byteLength = ggmlByteLength(type, elements, dims[0] ?? 1);
  } catch (error) {
    cursor.fail((error as Error).message);
  }
  if (offset % alignment !== 0)
    cursor.fail(`data offset ${offset} is not a multiple of the alignment ${alignment}`);
  return { name, type, dims, shape: [...dims].reverse(), elements, offset, byteLength };
}

/** Reads and checks everything before the tensor data. */
export function readGgufHeader(source: ByteSource): GgufHeader {
  const cursor = new Cursor(source);
  const version = readVersion(cursor);
  // The smallest tensor info is an empty name (8), no dimensions (4), type (4) and offset (8);
  // the smallest key-value pair an empty key (8), its type (4) and one byte of value.
  const tensorCount = cursor.checkCount(cursor.u64(), 24, "tensor count");
  const kvCount = cursor.checkCount(cursor.u64(), 13, "metadata count");
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    cursor.where = `metadata entry ${i}`;
    const rawKey = cursor.string();
    const key = typeof rawKey === "string" ? rawKey : cursor.fail("the key is not valid UTF-8");
    cursor.where = `metadata key ${JSON.stringify(key)}`;
    if (metadata.has(key)) cursor.fail("the key appears twice");
    metadata.set(key, readValue(cursor, valueType(cursor)));
  }
  const alignment = readAlignment(metadata);
  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const info = readTensorInfo(cursor, i, alignment);
    if (names.has(info.name))
      throw new GgufError(`tensor ${JSON.stringify(info.name)}: the name appears twice`);
    names.add(info.name);
    tensors.push(info);
  }
  const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
  for (const info of tensors) {
    const end = dataOffset + info.offset + info.byteLength;
    if (end > source.size) {
      throw new GgufError(
        `tensor ${JSON.stringify(info.name)}: its data [${dataOffset + info.offset}, ${end}) lies past the end of the file (${source.size} bytes)`,
      );
    }
  }
  return { version, metadata, tensors, alignment, dataOffset, byteLength: source.size };
}
