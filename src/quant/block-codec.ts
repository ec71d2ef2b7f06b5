/**
 * A block codec encodes a fixed number of float32 values into a fixed number of bytes and
 * back. Every ggml tensor type is one: a row of a tensor is a run of whole blocks.
 */
export interface BlockCodec {
  /** Values per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly blockBytes: number;
  /** Encodes src[at .. at+blockSize) into dst[out .. out+blockBytes). */
  encode(src: Float32Array, at: number, dst: Uint8Array, out: number): void;
  /** Decodes dst[out .. out+blockSize) from src[at .. at+blockBytes) (float32 values, in any float array). */
  decode(src: Uint8Array, at: number, dst: Float32Array | Float64Array, out: number): void;
}

/**
 * ggml's reference quantizers compute in float32. Every intermediate here goes through
 * `f` (Math.fround) so that the bytes match theirs, operation for operation.
 */
export const f = Math.fround;

/** Round to nearest, ties to even: ggml's nearest_int (the 1.5·2²³ trick) for |x| < 2²². */
export function nearestInt(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r & 1 ? r - 1 : r;
}

/** C's roundf: ties away from zero. */
export function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

export function readU16(src: Uint8Array, at: number): number {
  return src[at]! | (src[at + 1]! << 8);
}

export function writeU16(dst: Uint8Array, at: number, v: number): void {
  dst[at] = v & 0xff;
  dst[at + 1] = (v >>> 8) & 0xff;
}
