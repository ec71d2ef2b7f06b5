/**
 * WGSL literals that denote exactly the float32 or int32 value: subnormal floats and −0
 * by their bits, infinities and NaN through the prelude's functions (a constant
 * expression that is not finite does not compile).
 */
export function wgslF32(x: number): string {
  const v = Math.fround(x);
  if (Number.isNaN(v)) return "f_nan()";
  if (!Number.isFinite(v)) return v > 0 ? "f_inf()" : "(-f_inf())";
  if ((v !== 0 && Math.abs(v) < 1.1754943508222875e-38) || Object.is(v, -0)) {
    const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
    return `bitcast<f32>(0x${bits.toString(16)}u)`;
  }
  const text = v.toPrecision(9).replace(/^(-?\d+)$/, "$1.0");
  return v < 0 ? `(${text}f)` : `${text}f`;
}

export function wgslI32(x: number): string {
  const v = x | 0;
  if (v === -2147483648) return "bitcast<i32>(0x80000000u)";
  return v < 0 ? `(${v}i)` : `${v}i`;
}
