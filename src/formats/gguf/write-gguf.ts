// Writes GGUF files (version 3 by default, 2 on request). The header is built in memory;
// tensor data is streamed one tensor at a time, so a model bigger than memory can be
// written from a generator. Padding is zeros, tensors are placed at aligned offsets in the
// order given (or at the offsets given), so a file read by GgufFile and written back with
// its own offsets and length is the same bytes.
import { writeFileAtomicStreamSync } from "../atomic-write.js";
import { type GgmlType, ggmlByteLength } from "./ggml-types.js";
import {
  fixedSizeOf,
  GGUF_VALUE_TYPES,
  type GgufArray,
  GgufError,
  type GgufString,
  type GgufValue,
  type GgufValueType,
} from "./gguf-values.js";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_MAX_DIMS } from "./read-header.js";

export interface GgufTensorToWrite {
  name: string;
  type: GgmlType;
  /** Dimensions outermost first; the file stores them reversed. */
  shape: readonly number[];
  /** The tensor's bytes in the file's layout, or a function that makes them when written. */
  data: Uint8Array | (() => Uint8Array);
  /** Offset in the data section; by default the next aligned position after the previous tensor. */
  offset?: number;
}

export interface GgufContents {
  version?: 2 | 3;
  /** Key-value pairs, written in this order. `general.alignment` (uint32) sets the alignment. */
  metadata: Iterable<readonly [string, GgufValue]>;
  tensors: readonly GgufTensorToWrite[];
  /**
   * Length of the whole file; by default the end of the last tensor rounded up to the
   * alignment. A longer length pads with zeros (to reproduce a file exactly).
   */
  byteLength?: number;
}

class ByteBuilder {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  length = 0;
  readonly #encoder = new TextEncoder();

  #reserve(n: number): number {
    if (this.length + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.length + n));
      grown.set(this.#bytes.subarray(0, this.length));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  bytes(b: Uint8Array): void {
    const at = this.#reserve(b.length);
    this.#bytes.set(b, at);
  }

  u8(v: number): void {
    const at = this.#reserve(1);
    this.#view.setUint8(at, v);
  }

  u32(v: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v, true);
  }

  u64(v: number | bigint): void {
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, BigInt(v), true);
  }

  string(s: GgufString): void {
    const raw = typeof s === "string" ? this.#encoder.encode(s) : s;
    this.u64(raw.length);
    this.bytes(raw);
  }

  number(type: GgufValueType, v: number | bigint): void {
    const at = this.#reserve(fixedSizeOf(type)!);
    const view = this.#view;
    switch (type) {
      case "uint8":
        view.setUint8(at, Number(v));
        return;
      case "int8":
        view.setInt8(at, Number(v));
        return;
      case "uint16":
        view.setUint16(at, Number(v), true);
        return;
      case "int16":
        view.setInt16(at, Number(v), true);
        return;
      case "uint32":
        view.setUint32(at, Number(v), true);
        return;
      case "int32":
        view.setInt32(at, Number(v), true);
        return;
      case "float32":
        view.setFloat32(at, Number(v), true);
        return;
      case "float64":
        view.setFloat64(at, Number(v), true);
        return;
      case "uint64":
        view.setBigUint64(at, BigInt(v), true);
        return;
      case "int64":
        view.setBigInt64(at, BigInt(v), true);
        return;
      default:
        throw new GgufError(`cannot write ${type} as a number`);
    }
  }

  finish(): Uint8Array {
    return this.#bytes.subarray(0, this.length);
  }
}

function typeId(type: GgufValueType): number {
  const id = GGUF_VALUE_TYPES.indexOf(type);
  if (id < 0) throw new GgufError(`unknown value type ${String(type)}`);
  return id;
}

function writeArray(out: ByteBuilder, array: GgufArray): void {
  out.u32(typeId(array.itemType));
  out.u64(array.items.length);
  if (array.itemType === "array") {
    for (const item of array.items as GgufArray[]) writeArray(out, item);
  } else if (array.itemType === "string") {
    for (const item of array.items as GgufString[]) out.string(item);
  } else if (array.itemType === "bool") {
    for (const item of array.items as boolean[]) out.u8(item ? 1 : 0);
  } else {
    const items = array.items as ArrayLike<number | bigint>;
    for (let i = 0; i < items.length; i++) out.number(array.itemType, items[i]!);
  }
}

function writeValue(out: ByteBuilder, value: GgufValue): void {
  out.u32(typeId(value.type));
  switch (value.type) {
    case "array":
      writeArray(out, value);
      return;
    case "string":
      out.string(value.value);
      return;
    case "bool":
      out.u8(value.value ? 1 : 0);
      return;
    default:
      out.number(value.type, value.value);
      return;
  }
}

interface PlacedTensor {
  tensor: GgufTensorToWrite;
  offset: number;
  byteLength: number;
}

function alignmentOf(metadata: ReadonlyMap<string, GgufValue>): number {
  const value = metadata.get("general.alignment");
  if (value === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (value.type !== "uint32" || value.value === 0 || (value.value & (value.value - 1)) !== 0) {
    throw new GgufError("general.alignment must be a uint32 power of two");
  }
  return value.value;
}

function placeTensors(tensors: readonly GgufTensorToWrite[], alignment: number): PlacedTensor[] {
  let next = 0;
  const names = new Set<string>();
  return tensors.map((tensor) => {
    if (names.has(tensor.name)) throw new GgufError(`tensor ${tensor.name}: the name appears twice`);
    names.add(tensor.name);
    if (tensor.shape.length > GGUF_MAX_DIMS) {
      throw new GgufError(
        `tensor ${tensor.name}: ${tensor.shape.length} dimensions (at most ${GGUF_MAX_DIMS})`,
      );
    }
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    let byteLength: number;
    try {
      byteLength = ggmlByteLength(tensor.type, elements, tensor.shape.at(-1) ?? 1);
    } catch (error) {
      throw new GgufError(`tensor ${tensor.name}: ${(error as Error).message}`);
    }
    const offset = tensor.offset ?? Math.ceil(next / alignment) * alignment;
    if (offset % alignment !== 0) {
      throw new GgufError(`tensor ${tensor.name}: offset ${offset} is not a multiple of ${alignment}`);
    }
    next = Math.max(next, offset + byteLength);
    return { tensor, offset, byteLength };
  });
}

/** The bytes before the data section: header, metadata, tensor infos. */
function headerBytes(contents: GgufContents, placed: readonly PlacedTensor[]): Uint8Array {
  const out = new ByteBuilder();
  out.bytes(new TextEncoder().encode(GGUF_MAGIC));
  out.u32(contents.version ?? 3);
  const metadata = [...contents.metadata];
  out.u64(placed.length);
  out.u64(metadata.length);
  for (const [key, value] of metadata) {
    out.string(key);
    writeValue(out, value);
  }
  for (const { tensor, offset } of placed) {
    out.string(tensor.name);
    out.u32(tensor.shape.length);
    for (let d = tensor.shape.length - 1; d >= 0; d--) out.u64(tensor.shape[d]!);
    out.u32(tensor.type.id);
    out.u64(offset);
  }
  return out.finish();
}

/** Streams a GGUF file's bytes, in order, to `write`. */
export function produceGguf(contents: GgufContents, write: (bytes: Uint8Array) => void): number {
  const metadata = new Map(contents.metadata);
  if (metadata.size !== [...contents.metadata].length) throw new GgufError("a metadata key appears twice");
  const alignment = alignmentOf(metadata);
  const placed = placeTensors(contents.tensors, alignment);
  const header = headerBytes(contents, placed);
  write(header);
  const dataStart = Math.ceil(header.length / alignment) * alignment;
  // The data section starts aligned; tensors go out in offset order, with zeros in the gaps.
  let position = header.length;
  const zerosTo = (to: number) => {
    if (to > position) write(new Uint8Array(to - position));
    position = Math.max(position, to);
  };
  for (const { tensor, offset, byteLength } of [...placed].sort((a, b) => a.offset - b.offset)) {
    if (dataStart + offset < position) {
      throw new GgufError(`tensor ${tensor.name}: its data overlaps the previous tensor's`);
    }
    zerosTo(dataStart + offset);
    const data = typeof tensor.data === "function" ? tensor.data() : tensor.data;
    if (data.length !== byteLength) {
      throw new GgufError(
        `tensor ${tensor.name}: ${tensor.type.name} [${tensor.shape}] takes ${byteLength} bytes, got ${data.length}`,
      );
    }
    write(data);
    position += byteLength;
  }
  // Like ggml, pad the end to the alignment (the data section of a file without tensors too).
  const end = position;
  const total = contents.byteLength ?? Math.ceil(Math.max(end, dataStart) / alignment) * alignment;
  if (total < end) throw new GgufError(`byteLength ${total} is shorter than the contents (${end} bytes)`);
  zerosTo(total);
  return total;
}

/** A GGUF file's bytes in memory (for small files and tests). */
export function serializeGguf(contents: GgufContents): Uint8Array {
  const chunks: Uint8Array[] = [];
  const total = produceGguf(contents, (bytes) => chunks.push(bytes.slice()));
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Writes a GGUF file atomically (a crash leaves the old file or none, never half of one). */
export function writeGguf(path: string, contents: GgufContents): void {
  writeFileAtomicStreamSync(path, (write) => {
    produceGguf(contents, write);
  });
}
