/**
 * Element types. float32 and int32 are computed with; bool comes from comparisons; uint8
 * holds bytes: packed quantized weights (a row of ggml blocks per row of the tensor), which
 * the quantized instructions read and arithmetic refuses.
 */
export type DType = "float32" | "int32" | "bool" | "uint8";

/** Host storage for a buffer of a dtype. */
export type HostArray = Float32Array | Int32Array | Uint8Array | Float64Array;

interface DTypeInfo {
  readonly bytes: number;
  readonly isFloat: boolean;
  readonly alloc: (n: number) => HostArray;
}

export const DTYPE_INFO: Readonly<Record<DType, DTypeInfo>> = {
  float32: { bytes: 4, isFloat: true, alloc: (n) => new Float32Array(n) },
  int32: { bytes: 4, isFloat: false, alloc: (n) => new Int32Array(n) },
  bool: { bytes: 1, isFloat: false, alloc: (n) => new Uint8Array(n) },
  uint8: { bytes: 1, isFloat: false, alloc: (n) => new Uint8Array(n) },
};

export const DTYPES = Object.keys(DTYPE_INFO) as DType[];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && x in DTYPE_INFO;
}

export function isFloat(dtype: DType): boolean {
  return DTYPE_INFO[dtype].isFloat;
}

export function allocHost(dtype: DType, n: number): HostArray {
  return DTYPE_INFO[dtype].alloc(n);
}

/** The dtype a typed array stores natively, for `tensor(typedArray)`. */
export function dtypeOfArray(a: ArrayLike<number>): DType | undefined {
  if (a instanceof Float32Array || a instanceof Float64Array) return "float32";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof Uint8Array) return "bool";
  return undefined;
}

/** Rounds a JS number to what a dtype can hold (float32 rounding, int32 wrap, bool 0/1). */
export function coerce(dtype: DType, x: number): number {
  switch (dtype) {
    case "float32":
      return Math.fround(x);
    case "int32":
      return x | 0;
    case "bool":
      return x ? 1 : 0;
    case "uint8":
      return x & 0xff;
  }
}

/** Bytes per element in memory (bool is one byte). */
export function bytesPer(dtype: DType): number {
  return DTYPE_INFO[dtype].bytes;
}
