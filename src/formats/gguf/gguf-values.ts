// Metadata values of a GGUF file. Each value keeps the type it was stored with, so a file
// read and written again is the same bytes: a uint32 stays a uint32 even where an int32
// would hold the number, and an array keeps its element type even when it is empty.

/** The value types of the format, by the id a file stores. */
export const GGUF_VALUE_TYPES = [
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "bool",
  "string",
  "array",
  "uint64",
  "int64",
  "float64",
] as const;

export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

export type GgufNumberType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "float64";
export type GgufBigIntType = "uint64" | "int64";

/**
 * A string value. Strings are UTF-8 in the format; the rare one that is not valid UTF-8
 * (a tokenizer piece cut inside a character, say) is kept as its raw bytes.
 */
export type GgufString = string | Uint8Array;

/** The elements of an array, in the most compact JavaScript form for their type. */
export type GgufArrayItems =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | boolean[]
  | GgufString[]
  | GgufArray[];

export interface GgufArray {
  type: "array";
  itemType: GgufValueType;
  items: GgufArrayItems;
}

export type GgufValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: GgufString }
  | GgufArray;

/** Bytes one element of a fixed-size type takes; undefined for strings and arrays. */
export function fixedSizeOf(type: GgufValueType): number | undefined {
  switch (type) {
    case "uint8":
    case "int8":
    case "bool":
      return 1;
    case "uint16":
    case "int16":
      return 2;
    case "uint32":
    case "int32":
    case "float32":
      return 4;
    case "uint64":
    case "int64":
    case "float64":
      return 8;
    default:
      return undefined;
  }
}

/** A malformed or unsupported GGUF file; the message names the key or tensor concerned. */
export class GgufError extends Error {
  override name = "GgufError";
}

// Builders, so code that writes metadata reads like the file it makes.
export const gguf = {
  uint32: (value: number): GgufValue => ({ type: "uint32", value }),
  int32: (value: number): GgufValue => ({ type: "int32", value }),
  float32: (value: number): GgufValue => ({ type: "float32", value }),
  uint64: (value: number | bigint): GgufValue => ({ type: "uint64", value: BigInt(value) }),
  bool: (value: boolean): GgufValue => ({ type: "bool", value }),
  string: (value: string): GgufValue => ({ type: "string", value }),
  strings: (items: readonly string[]): GgufValue => ({
    type: "array",
    itemType: "string",
    items: [...items],
  }),
  float32s: (items: ArrayLike<number>): GgufValue => ({
    type: "array",
    itemType: "float32",
    items: Float32Array.from(items),
  }),
  int32s: (items: ArrayLike<number>): GgufValue => ({
    type: "array",
    itemType: "int32",
    items: Int32Array.from(items),
  }),
};

/**
 * A value as plain JavaScript: numbers, bigints (64-bit integers), booleans, strings
 * (raw bytes for invalid UTF-8), and arrays as their typed array or JavaScript array.
 */
export function plainValue(value: GgufValue): number | bigint | boolean | GgufString | GgufArrayItems {
  return value.type === "array" ? value.items : value.value;
}

/** A short description of a value for listings: `uint32 32000`, `array<string>[32000]`. */
export function describeValue(value: GgufValue, maxString = 60): string {
  if (value.type === "array") return `array<${value.itemType}>[${value.items.length}]`;
  if (value.type === "string") {
    if (typeof value.value !== "string") return `string (${value.value.length} bytes, not UTF-8)`;
    const text = value.value.length > maxString ? `${value.value.slice(0, maxString)}…` : value.value;
    return `string ${JSON.stringify(text)}`;
  }
  return `${value.type} ${String(value.value)}`;
}
