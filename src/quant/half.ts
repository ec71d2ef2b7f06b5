/**
 * Half-precision conversions as ggml stores them: IEEE binary16 (F16) and bfloat16 (BF16),
 * both rounded to nearest even from float32, the way x86's F16C instruction and ggml's
 * reference code round.
 */

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The bits of a float32. */
export function f32Bits(x: number): number {
  scratch[0] = x;
  return scratchBits[0]!;
}

/** The float32 with these bits. */
export function f32FromBits(bits: number): number {
  scratchBits[0] = bits >>> 0;
  return scratch[0]!;
}

/** float32 → binary16 bits, rounded to nearest even; overflow gives infinity, NaN stays NaN. */
export function f16Bits(x: number): number {
  const u = f32Bits(x);
  const sign = (u >>> 16) & 0x8000;
  const exponent = (u >>> 23) & 0xff;
  const mantissa = u & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A binary16 subnormal (or zero): the significand shifted right past the exponent floor.
    if (e < -10) return sign;
    const significand = mantissa | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = significand & ((1 << shift) - 1);
    let h = significand >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return sign | h;
}

let f16Table: Float32Array | undefined;

/** binary16 bits → its value (exact in float32). */
export function f16Value(bits: number): number {
  f16Table ??= buildF16Table();
  return f16Table[bits & 0xffff]!;
}

function buildF16Table(): Float32Array {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else table[h] = sign * (1024 + mantissa) * 2 ** (exponent - 25);
  }
  return table;
}

/** float32 → bfloat16 bits: the top half, rounded to nearest even; NaN stays a quiet NaN. */
export function bf16Bits(x: number): number {
  const u = f32Bits(x);
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 64;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits → its value. */
export function bf16Value(bits: number): number {
  return f32FromBits((bits & 0xffff) << 16);
}

/** The float32 nearest to binary16 rounding of x: what a value becomes when stored as F16. */
export function roundToF16(x: number): number {
  return f16Value(f16Bits(x));
}
