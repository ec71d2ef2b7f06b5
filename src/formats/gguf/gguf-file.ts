// An open GGUF file: the header is parsed when it opens, tensor data is read only when
// asked for, at its position, into an array the caller keeps. Loading a model through it
// costs the model's size once, never a second copy of the whole file.
import { type ByteSource, MemorySource } from "./byte-source.js";
import { FileSource } from "./file-source.js";
import { type GgufArrayItems, GgufError, type GgufString, type GgufValue } from "./gguf-values.js";
import { type GgufHeader, type GgufTensorInfo, readGgufHeader } from "./read-header.js";

export class GgufFile implements GgufHeader {
  readonly version: 2 | 3;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  readonly dataOffset: number;
  readonly byteLength: number;
  /** Where the file came from, for messages. */
  readonly source: string;
  readonly #bytes: ByteSource;
  readonly #byName: Map<string, GgufTensorInfo>;

  private constructor(bytes: ByteSource, source: string) {
    let header: GgufHeader;
    try {
      header = readGgufHeader(bytes);
    } catch (error) {
      bytes.close();
      if (error instanceof GgufError) throw new GgufError(`${source}: ${error.message}`, { cause: error });
      throw error;
    }
    this.#bytes = bytes;
    this.source = source;
    this.version = header.version;
    this.metadata = header.metadata;
    this.tensors = header.tensors;
    this.alignment = header.alignment;
    this.dataOffset = header.dataOffset;
    this.byteLength = header.byteLength;
    this.#byName = new Map(this.tensors.map((t) => [t.name, t]));
  }

  /** Opens a file and reads its header; tensor data stays on disk until read. Close it after. */
  static open(path: string): GgufFile {
    return new GgufFile(new FileSource(path), path);
  }

  /** A GGUF file already in memory. */
  static fromBytes(bytes: Uint8Array, name = "GGUF bytes"): GgufFile {
    return new GgufFile(new MemorySource(bytes), name);
  }

  close(): void {
    this.#bytes.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  hasTensor(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The info of the tensor called `name`; throws naming it when there is none. */
  tensor(name: string): GgufTensorInfo {
    const info = this.#byName.get(name);
    if (!info) throw new GgufError(`${this.source}: no tensor named ${JSON.stringify(name)}`);
    return info;
  }

  /** Reads a tensor's raw bytes into `into` (exactly its byte length), e.g. a Float32Array's buffer. */
  readTensorInto(info: GgufTensorInfo, into: Uint8Array): void {
    if (into.length !== info.byteLength) {
      throw new Error(`tensor ${info.name}: ${info.byteLength} bytes do not fit in ${into.length}`);
    }
    this.#bytes.readInto(this.dataOffset + info.offset, into);
  }

  /** A tensor's raw bytes, freshly read. */
  readTensorBytes(info: GgufTensorInfo): Uint8Array {
    const bytes = new Uint8Array(info.byteLength);
    this.readTensorInto(info, bytes);
    return bytes;
  }

  // Typed metadata access: each getter names the key and what it found when it fails.

  has(key: string): boolean {
    return this.metadata.has(key);
  }

  #get(key: string): GgufValue {
    const value = this.metadata.get(key);
    if (value === undefined) throw new GgufError(`${this.source}: metadata key ${key} is missing`);
    return value;
  }

  #wrong(key: string, wanted: string, value: GgufValue): never {
    const found = value.type === "array" ? `array<${value.itemType}>` : value.type;
    throw new GgufError(`${this.source}: metadata key ${key} should be ${wanted}, found ${found}`);
  }

  /** A number of any numeric type (64-bit integers must be safe integers). */
  number(key: string, fallback?: number): number {
    if (fallback !== undefined && !this.metadata.has(key)) return fallback;
    const value = this.#get(key);
    if (value.type === "uint64" || value.type === "int64") {
      const n = Number(value.value);
      if (!Number.isSafeInteger(n)) this.#wrong(key, "a number JavaScript can hold", value);
      return n;
    }
    if (value.type === "array" || typeof value.value !== "number") this.#wrong(key, "a number", value);
    return value.value;
  }

  string(key: string, fallback?: string): string {
    if (fallback !== undefined && !this.metadata.has(key)) return fallback;
    const value = this.#get(key);
    if (value.type !== "string") this.#wrong(key, "a string", value);
    if (typeof value.value !== "string") this.#wrong(key, "valid UTF-8", value);
    return value.value;
  }

  bool(key: string, fallback?: boolean): boolean {
    if (fallback !== undefined && !this.metadata.has(key)) return fallback;
    const value = this.#get(key);
    if (value.type !== "bool") this.#wrong(key, "a bool", value);
    return value.value;
  }

  /** An array's items as they were read (typed arrays for numbers). */
  array(key: string): GgufArrayItems {
    const value = this.#get(key);
    if (value.type !== "array") this.#wrong(key, "an array", value);
    return value.items;
  }

  /** An array of strings (raw bytes where a string is not valid UTF-8). */
  strings(key: string): GgufString[] {
    const value = this.#get(key);
    if (value.type !== "array" || value.itemType !== "string") this.#wrong(key, "an array of strings", value);
    return value.items as GgufString[];
  }

  /** An array of numbers of any numeric type, as float64. */
  numbers(key: string): Float64Array {
    const value = this.#get(key);
    if (value.type !== "array" || value.itemType === "string" || value.itemType === "array") {
      this.#wrong(key, "an array of numbers", value);
    }
    const items = value.items as ArrayLike<number | bigint | boolean>;
    return Float64Array.from({ length: items.length }, (_, i) => Number(items[i]));
  }
}
