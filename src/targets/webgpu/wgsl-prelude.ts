import { wgslF32 } from "./wgsl-literals.js";

/**
 * WGSL helpers every generated kernel starts with, giving the CPU targets' semantics:
 *
 * - max/min as JavaScript's Math.max/min: NaN wins, +0 beats −0.
 * - int32 division truncates and gives 0 for a zero divisor (WGSL would give the dividend).
 * - float→int32 saturates (NaN → 0), float→bool is (x < 0) | (x > 0) (NaN → false).
 * - exp, tanh and erf are the CPU targets' approximations (wasm/simd-math.ts) step for
 *   step, so that a model computes nearly the same values on every target; pow has
 *   JavaScript's cases (a negative base with an integer exponent, NaN, ±1 to ±inf).
 * - random numbers are the counter-based hash of isa/counter-random.ts.
 * Infinity and NaN come from a `var` so that no constant expression overflows.
 */
export function wgslPrelude(): string {
  const f = wgslF32;
  const poly = (x: string, coefficients: readonly number[]) =>
    coefficients.slice(1).reduce((acc, c) => `(${acc} * ${x} + ${f(c)})`, f(coefficients[0]!));
  return `fn f_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn f_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn f_isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

fn f_max(a: f32, b: f32) -> f32 {
  if (f_isnan(a) || f_isnan(b)) { return f_nan(); }
  if (a == b) { return bitcast<f32>(bitcast<u32>(a) & bitcast<u32>(b)); }
  return select(b, a, a > b);
}
fn f_min(a: f32, b: f32) -> f32 {
  if (f_isnan(a) || f_isnan(b)) { return f_nan(); }
  if (a == b) { return bitcast<f32>(bitcast<u32>(a) | bitcast<u32>(b)); }
  return select(b, a, a < b);
}
fn i_div(a: i32, b: i32) -> i32 { return select(a / select(b, 1i, b == 0i), 0i, b == 0i); }
fn f_to_i32(x: f32) -> i32 {
  if (f_isnan(x)) { return 0i; }
  if (x >= 2147483648.0f) { return 2147483647i; }
  if (x <= -2147483648.0f) { return bitcast<i32>(0x80000000u); }
  return i32(x);
}
fn f_to_bool(x: f32) -> bool { return x < 0.0f || x > 0.0f; }

// log from the exponent and mantissa bits: log(m·2^e) = e·ln 2 + 2·atanh((m − 1)/(m + 1)) with
// m in [√½, √2). WGSL bounds its built-in's error only absolutely near 1, and GPUs flush
// log(0) to a finite value; random normal numbers and pow need the relative accuracy.
fn f_log(x: f32) -> f32 {
  if (f_isnan(x) || x < 0.0f) { return f_nan(); }
  if (x == 0.0f) { return -f_inf(); }
  if (x == f_inf()) { return x; }
  let bits = bitcast<u32>(x);
  var e = i32(bits >> 23u) - 127i;
  var mantissa = bits & 0x7fffffu;
  if ((bits >> 23u) == 0u) {
    let shift = countLeadingZeros(mantissa) - 8u;
    mantissa = (mantissa << shift) & 0x7fffffu;
    e = -126i - i32(shift);
  }
  var m = bitcast<f32>(mantissa | 0x3f800000u);
  if (m > ${f(Math.SQRT2)}) { m = m * 0.5f; e = e + 1i; }
  let s = (m - 1.0f) / (m + 1.0f);
  let s2 = s * s;
  let p = s * ${poly("s2", [2 / 9, 2 / 7, 2 / 5, 2 / 3, 2])};
  return f32(e) * ${f(0.693145751953125)} + (p + f32(e) * ${f(1.4286068203094173e-6)});
}
fn f_sqrt(x: f32) -> f32 { return select(sqrt(x), f_nan(), x < 0.0f); }
// sin and cos with their own range reduction (π in three parts, Cody–Waite) and odd
// polynomial: WGSL bounds the built-ins' error only absolutely (2^-11), and GPUs use
// coarse hardware sines.
fn f_sin_reduced(x: f32, n: f32) -> f32 {
  let r = ((x - n * 3.140625f) - n * 0.0009670257568359375f) - n * ${f(Math.PI - 3.140625 - 0.0009670257568359375)};
  let r2 = r * r;
  return r + r * r2 * ${poly("r2", [-1 / 39916800, 1 / 362880, -1 / 5040, 1 / 120, -1 / 6])};
}
fn f_sin(x: f32) -> f32 {
  if (!(abs(x) < f_inf())) { return f_nan(); }
  let n = round(x * ${f(1 / Math.PI)});
  let s = f_sin_reduced(x, n);
  return select(s, -s, (i32(n) & 1i) == 1i);
}
// cos(x) = −(−1)^m · sin(x − (m + ½)π), m = round(x/π − ½).
fn f_cos(x: f32) -> f32 {
  if (!(abs(x) < f_inf())) { return f_nan(); }
  let m = round(x * ${f(1 / Math.PI)} - 0.5f);
  let s = f_sin_reduced(x, m + 0.5f);
  return select(-s, s, (i32(m) & 1i) == 1i);
}

fn f_pow2i(k: i32) -> f32 { return bitcast<f32>(u32(k + 127i) << 23u); }
fn f_exp(x: f32) -> f32 {
  if (f_isnan(x)) { return x; }
  if (x > ${f(88.72)}) { return f_inf(); }
  if (x < ${f(-103.98)}) { return 0.0f; }
  let n = round(x * ${f(Math.LOG2E)});
  let r = (x - n * ${f(0.693145751953125)}) - n * ${f(1.4286068203094173e-6)};
  let k = i32(n);
  let k1 = k >> 1u;
  let k2 = k - k1;
  return ${poly("r", [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1])} * f_pow2i(k1) * f_pow2i(k2);
}
fn f_tanh(x: f32) -> f32 {
  let sign = bitcast<u32>(x) & 0x80000000u;
  let e = f_exp(abs(x) * 2.0f);
  return bitcast<f32>(bitcast<u32>(1.0f - 2.0f / (e + 1.0f)) | sign);
}
fn f_erf(x: f32) -> f32 {
  let sign = bitcast<u32>(x) & 0x80000000u;
  let a = abs(x);
  let t = 1.0f / (1.0f + a * ${f(0.3275911)});
  let y = ${poly("t", [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592])} * t * f_exp(-(a * a));
  return bitcast<f32>(bitcast<u32>(1.0f - y) | sign);
}
fn f_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  if (f_isnan(a) || f_isnan(b)) { return f_nan(); }
  let m = abs(a);
  if (m == 1.0f && abs(b) == f_inf()) { return f_nan(); }
  var r: f32;
  if (m == 0.0f) { r = select(f_inf(), 0.0f, b > 0.0f); }
  else if (m == f_inf()) { r = select(0.0f, f_inf(), b > 0.0f); }
  else { r = f_exp(b * f_log(m)); }
  let negative = (bitcast<u32>(a) & 0x80000000u) != 0u;
  if (negative) {
    if (floor(b) != b && abs(b) != f_inf()) { return select(f_nan(), r, m == 0.0f || m == f_inf()); }
    let odd = abs(b) < 16777216.0f && (i32(b) & 1i) == 1i;
    if (odd) { r = -r; }
  }
  return r;
}

fn rnd_hash(v: u32) -> u32 {
  var x = v;
  x = x ^ (x >> 16u); x = x * 0x7feb352du; x = x ^ (x >> 15u); x = x * 0x846ca68bu; x = x ^ (x >> 16u);
  return x;
}
fn rnd_bits(seed: u32, counter: u32) -> u32 {
  return rnd_hash(rnd_hash(counter ^ rnd_hash(seed)) ^ rnd_hash(seed ^ 0x9e3779b9u));
}
fn rnd_uniform(seed: u32, i: u32) -> f32 { return f32(rnd_bits(seed, i) >> 8u) / 16777216.0f; }
fn rnd_normal(seed: u32, i: u32) -> f32 {
  let u1 = (f32(rnd_bits(seed, 2u * i) >> 8u) + 1.0f) / 16777216.0f;
  let u2 = f32(rnd_bits(seed, 2u * i + 1u) >> 8u) / 16777216.0f;
  // cos(2πu) = sin(2π(u + ¼)), through the accurate sine.
  return sqrt(-2.0f * f_log(u1)) * f_sin(${f(2 * Math.PI)} * (u2 + 0.25f));
}
`;
}
