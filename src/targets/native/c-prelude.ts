import { cFloat } from "./c-literals.js";

/**
 * The C helpers every generated kernel starts with: scalar functions with exactly the
 * semantics the wasm kernels implement, written without branches so that GCC and Clang
 * vectorise the loops that call them.
 *
 * - max/min as JavaScript's Math.max/min: NaN wins, +0 beats −0 (C's fmaxf does neither).
 * - int32 arithmetic wraps (done in uint32, where C would have undefined overflow);
 *   division truncates and gives 0 for a zero divisor.
 * - float→int32 saturates (NaN → 0), float→bool is (x < 0) | (x > 0) (NaN → false).
 * - exp, tanh and erf are the wasm target's approximations (simd-math.ts) step for step,
 *   so both targets give the same bits; kernels are compiled without FP contraction so
 *   that every multiply and add rounds as it does there.
 * - log, sin and pow call libm in double and round once, as the reference does with
 *   Math.log, Math.sin and Math.pow (pow with JavaScript's NaN cases).
 * - random numbers are the counter-based hash of isa/counter-random.ts.
 */
export function cPrelude(): string {
  const f = (x: number) => cFloat(x);
  const poly = (x: string, coefficients: readonly number[]) =>
    coefficients.slice(1).reduce((acc, c) => `(${acc} * ${x} + ${f(c)})`, f(coefficients[0]!));
  return `#include <stdint.h>
#include <string.h>
#include <math.h>

static inline uint32_t f_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float f_from_bits(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

static inline float f_max(float a, float b) {
  float m = a > b ? a : b;
  m = a == b ? f_from_bits(f_bits(a) & f_bits(b)) : m;
  return (a != a) | (b != b) ? a + b : m;
}
static inline float f_min(float a, float b) {
  float m = a < b ? a : b;
  m = a == b ? f_from_bits(f_bits(a) | f_bits(b)) : m;
  return (a != a) | (b != b) ? a + b : m;
}

static inline int32_t i_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t i_sub(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t i_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static inline int32_t i_neg(int32_t a) { return (int32_t)(0u - (uint32_t)a); }
static inline int32_t i_abs(int32_t a) { uint32_t s = (uint32_t)(a >> 31); return (int32_t)(((uint32_t)a ^ s) - s); }
static inline int32_t i_div(int32_t a, int32_t b) { return b == 0 ? 0 : b == -1 ? i_neg(a) : a / b; }
static inline int32_t i_max(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t i_min(int32_t a, int32_t b) { return a < b ? a : b; }

static inline int32_t f_to_i32(float x) {
  return x != x ? 0 : x >= 2147483648.0f ? INT32_MAX : x <= -2147483648.0f ? INT32_MIN : (int32_t)x;
}
static inline int f_to_bool(float x) { return (x < 0.0f) | (x > 0.0f); }

static inline float f_log(float x) { return (float)log((double)x); }
static inline float f_sin(float x) { return (float)sin((double)x); }
static inline float f_pow(float a, float b) {
  /* C's pow(1, NaN) and pow(±1, ±inf) are 1; JavaScript's are NaN. */
  if (b != b || (fabsf(a) == 1.0f && isinf(b))) return NAN;
  return (float)pow((double)a, (double)b);
}

/* 2^k for k in [-75, 64], from the exponent bits. */
static inline float f_pow2i(int32_t k) { return f_from_bits((uint32_t)(k + 127) << 23); }

static inline float f_exp(float x) {
  float c = x > ${f(88.72)} ? ${f(88.72)} : x;
  c = c < ${f(-103.98)} ? ${f(-103.98)} : c;
  /* below the range the result is 0: computed on 0, as the products on the clamped value underflow (slow on x86) */
  c = x < ${f(-103.98)} ? 0.0f : c;
  /* round half to even, exact for |v| < 2^22 */
  float n = (c * ${f(Math.LOG2E)} + 12582912.0f) - 12582912.0f;
  float r = (c - n * ${f(0.693145751953125)}) - n * ${f(1.4286068203094173e-6)};
  int32_t k = n != n ? 0 : (int32_t)n;
  int32_t k1 = k >> 1;
  int32_t k2 = k - k1;
  float y = ${poly("r", [1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2, 1, 1])} * f_pow2i(k1) * f_pow2i(k2);
  y = x < ${f(-103.98)} ? 0.0f : y;
  return x > ${f(88.72)} ? INFINITY : y;
}
static inline float f_tanh(float x) {
  uint32_t sign = f_bits(x) & 0x80000000u;
  float e = f_exp(fabsf(x) * 2.0f);
  return f_from_bits(f_bits(1.0f - 2.0f / (e + 1.0f)) | sign);
}
static inline float f_erf(float x) {
  uint32_t sign = f_bits(x) & 0x80000000u;
  float a = fabsf(x);
  float t = 1.0f / (1.0f + a * ${f(0.3275911)});
  float y = ${poly("t", [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592])} * t * f_exp(-(a * a));
  return f_from_bits(f_bits(1.0f - y) | sign);
}

static inline uint32_t rnd_hash(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352du; x ^= x >> 15; x *= 0x846ca68bu; x ^= x >> 16;
  return x;
}
static inline uint32_t rnd_bits(uint32_t seed, uint32_t counter) {
  return rnd_hash(rnd_hash(counter ^ rnd_hash(seed)) ^ rnd_hash(seed ^ 0x9e3779b9u));
}
static inline float rnd_uniform(uint32_t seed, uint32_t i) {
  return (float)((double)(rnd_bits(seed, i) >> 8) / 16777216.0);
}
static inline float rnd_normal(uint32_t seed, uint32_t i) {
  double u1 = ((double)(rnd_bits(seed, 2u * i) >> 8) + 1.0) / 16777216.0;
  double u2 = (double)(rnd_bits(seed, 2u * i + 1u) >> 8) / 16777216.0;
  return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * ${Math.PI.toPrecision(17)} * u2));
}

static inline double p_f64(const int64_t *p, int i) { double d; memcpy(&d, &p[i], 8); return d; }
`;
}
