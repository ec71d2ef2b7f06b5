import type { QuantType } from "../../quant/index.js";

/**
 * The C of the native quantized matmul with activations rounded as llama.cpp rounds them
 * (quantizedMatmul's `roundActivations`): each row of x becomes Q8 blocks (int8 quants, a
 * scale per block, sums of quants per 16 values) in a thread's workspace, and every
 * product is an integer dot product of weight quants by activation quants, scaled once
 * per block in float32. Three variants, chosen by the compiler's target macros (the
 * kernel cache is keyed by the CPU's features):
 *
 * - AVX-512 VNNI or AVX-VNNI: `vpdpbusd`, 32 byte products summed per int32 lane;
 * - AVX2: `vpmaddubsw` + `vpmaddwd`, the same sums (no pair of products can saturate
 *   16 bits: weights are below 64 in magnitude after taking signs, activations at most 127);
 * - elsewhere: plain C over the same values.
 *
 * A weight chunk (32 quants) is built with vector extensions: unsigned (0 … 63) for the
 * types with a per-block offset or minimum, signed for Q8_0, Q4_0, Q5_0 (the offset
 * subtracted; their products take the signs of the weights, as llama.cpp's do). Each output
 * is one sequence of operations over K, whatever the tiling and the number of threads.
 */

/** Values per activation block: Q8_0 for the 32-value types, Q8_K for the K types. */
export function activationBlockOf(type: QuantType): 32 | 256 {
  return type.endsWith("_K") ? 256 : 32;
}

const PRELUDE = `

typedef uint8_t v32u8 __attribute__((vector_size(32)));
typedef int8_t v32i8 __attribute__((vector_size(32)));

static inline int64_t align64(int64_t n) { return (n + 63) & ~(int64_t)63; }

/* One row of x as Q8 blocks of XB values, in a workspace: K quants, K/XB scales, and the
   sums of quants over each 16 values (K/16). */
typedef struct {
  const int8_t *q;
  const float *d;
  const int32_t *s;
} xrow_t;

static inline int64_t xrow_bytes(int64_t K) { return align64(K) + align64(4 * (K / XB)) + align64(4 * (K / 16)); }

static inline xrow_t xrow_at(const char *row, int64_t K) {
  xrow_t r;
  r.q = (const int8_t *)row;
  r.d = (const float *)(row + align64(K));
  r.s = (const int32_t *)(row + align64(K) + align64(4 * (K / XB)));
  return r;
}

/* One block of XB values as Q8: quants nearest(x · 127/amax) (ties to even) into qb; returns
   the scale, binary16(amax/127) for 32-value blocks (Q8_0) or 1/(127/amax) for 256 (Q8_K). */
static inline float quantize_block(const float *restrict xb, int8_t *restrict qb) {
  float amax = 0.0f;
  for (int i = 0; i < XB; i++) {
    const float a = fabsf(xb[i]);
    amax = a > amax ? a : amax;
  }
  const float scale = amax == 0.0f ? 0.0f : 127.0f / amax;
  for (int i = 0; i < XB; i++) qb[i] = (int8_t)(int32_t)__builtin_rintf(xb[i] * scale);
  return amax == 0.0f ? 0.0f : XB == 32 ? f16_round(amax / 127.0f) : 1.0f / scale;
}

/* Row x[0 … K) as Q8 blocks, with the sums of quants over each 16 values. */
static void quantize_row(const float *restrict x, int64_t K, char *restrict row) {
  int8_t *q = (int8_t *)row;
  float *d = (float *)(row + align64(K));
  int32_t *s = (int32_t *)(row + align64(K) + align64(4 * (K / XB)));
  for (int64_t b = 0; b < K / XB; b++) d[b] = quantize_block(x + XB * b, q + XB * b);
  for (int64_t j = 0; j < K / 16; j++) {
    int32_t t = 0;
    for (int i = 0; i < 16; i++) t += q[16 * j + i];
    s[j] = t;
  }
}

/* Row x[0 … K) as the values its Q8 blocks stand for (quant × scale, in float32): what the
   float GEMM multiplies when many rows share each decoded weight panel. */
static void round_row(const float *restrict x, int64_t K, float *restrict out) {
  int8_t qb[XB];
  for (int64_t b = 0; b < K / XB; b++) {
    const float d = quantize_block(x + XB * b, qb);
    for (int i = 0; i < XB; i++) out[XB * b + i] = (float)qb[i] * d;
  }
}

#if defined(__AVX2__)
typedef __m256i lanes_t;
typedef __m256 facc_t;
static inline lanes_t lanes_zero(void) { return _mm256_setzero_si256(); }
/* a + b, kept as a register: integer sums may otherwise be reassociated into trees of every
   product of a block, which spill. */
static inline lanes_t lanes_add(lanes_t a, lanes_t b) {
  lanes_t t = _mm256_add_epi32(a, b);
  __asm__("" : "+x"(t));
  return t;
}
static inline facc_t facc_zero(void) { return _mm256_setzero_ps(); }
/* acc + lanes · s */
static inline facc_t facc_fma(facc_t acc, lanes_t lanes, float s) {
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), _mm256_set1_ps(s), acc);
}
static inline float facc_sum(facc_t v) {
  __m128 t = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  t = _mm_add_ps(t, _mm_movehl_ps(t, t));
  t = _mm_add_ss(t, _mm_movehdup_ps(t));
  return _mm_cvtss_f32(t);
}
/* Unsigned bytes a times signed bytes b, four products summed per int32 lane. */
static inline lanes_t dot4(__m256i a, __m256i b) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), a, b);
#elif defined(__AVXVNNI__)
  return _mm256_dpbusd_avx_epi32(_mm256_setzero_si256(), a, b);
#else
  return _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), _mm256_set1_epi16(1));
#endif
}
static inline __m256i xload(const int8_t *x) { return _mm256_loadu_si256((const __m256i *)x); }
/* Σ w·x over 32 unsigned weights. */
static inline lanes_t dot_u8(v32u8 w, const int8_t *x) { return dot4((__m256i)w, xload(x)); }
/* Σ w·x over 32 signed weights: |w| times x with w's sign. */
static inline lanes_t dot_i8(v32u8 w, const int8_t *x) {
  const __m256i v = (__m256i)w;
  return dot4(_mm256_sign_epi8(v, v), _mm256_sign_epi8(xload(x), v));
}
/* Σ w·x over 32 unsigned weights, the products of values 0–15 times lo, of 16–31 times hi. */
typedef __m256i chunk_scales_t;
static inline chunk_scales_t chunk_scales(int lo, int hi) {
  return lo == hi ? _mm256_set1_epi16((short)lo) : _mm256_set_m128i(_mm_set1_epi16((short)hi), _mm_set1_epi16((short)lo));
}
static inline lanes_t dot_u8_scaled(v32u8 w, const int8_t *x, chunk_scales_t sc) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16((__m256i)w, xload(x)), sc);
}
#else
typedef int32_t lanes_t;
typedef float facc_t;
static inline lanes_t lanes_zero(void) { return 0; }
static inline lanes_t lanes_add(lanes_t a, lanes_t b) { return a + b; }
static inline facc_t facc_zero(void) { return 0.0f; }
static inline facc_t facc_fma(facc_t acc, lanes_t lanes, float s) { return acc + (float)lanes * s; }
static inline float facc_sum(facc_t v) { return v; }
static inline lanes_t dot_u8(v32u8 w, const int8_t *x) {
  int32_t t = 0;
  for (int i = 0; i < 32; i++) t += (int32_t)w[i] * x[i];
  return t;
}
static inline lanes_t dot_i8(v32u8 w, const int8_t *x) {
  const v32i8 v = (v32i8)w;
  int32_t t = 0;
  for (int i = 0; i < 32; i++) t += (int32_t)v[i] * x[i];
  return t;
}
typedef struct {
  int lo, hi;
} chunk_scales_t;
static inline chunk_scales_t chunk_scales(int lo, int hi) {
  chunk_scales_t s = {lo, hi};
  return s;
}
static inline lanes_t dot_u8_scaled(v32u8 w, const int8_t *x, chunk_scales_t sc) {
  int32_t a = 0, b = 0;
  for (int i = 0; i < 16; i++) a += (int32_t)w[i] * x[i];
  for (int i = 16; i < 32; i++) b += (int32_t)w[i] * x[i];
  return a * sc.lo + b * sc.hi;
}
#endif

static inline v32u8 load32(const uint8_t *p) {
  v32u8 v;
  memcpy(&v, p, 32);
  return v;
}

/* 32 4-bit quants: value j in the low nibble of byte j, value j + 16 in the high one. */
static inline v32u8 nibbles32(const uint8_t *qs) {
  v16u8 q;
  memcpy(&q, qs, 16);
  const v16u8 lo = q & 15, hi = q >> 4;
  return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                                 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
}

/* Each value's fifth bit (bit j of the little-endian uint32 at qh, for value j) as 0 or 16. */
static inline v32u8 fifth32(const uint8_t *qh) {
  v16u8 h = {0};
  memcpy(&h, qh, 4);
  const v32u8 spread = __builtin_shufflevector(h, h, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
                                               2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const v32u8 bit = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128,
                     1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  return (v32u8)((spread & bit) != 0) & 16;
}

/* The (scale, min) pairs of a Q4_K/Q5_K super-block's 12 packed bytes. */
static inline void scales_mins_k4(const uint8_t *q, int sc[8], int m[8]) {
  for (int j = 0; j < 4; j++) {
    sc[j] = q[j] & 63;
    m[j] = q[j + 4] & 63;
    sc[j + 4] = (q[j + 8] & 0xF) | ((q[j] >> 6) << 4);
    m[j + 4] = (q[j + 8] >> 4) | ((q[j + 4] >> 6) << 4);
  }
}
`;

/**
 * `block_dot(R, q, xr, b, acc, accm)`: weight block b (at q) times block b of rows xr[0 … R):
 * integer sums scaled into the float accumulators acc[r] (the block's lanes) and accm[r]
 * (its offset or minimum term).
 */
const BLOCK_DOT: Record<string, string> = {
  Q8_0: signedLegacy("load32(q + 2)"),
  Q4_0: signedLegacy("nibbles32(q + 2) - 8"),
  Q5_0: signedLegacy("(nibbles32(q + 6) | fifth32(q + 2)) - 16"),
  Q4_1: unsignedLegacy("nibbles32(q + 4)"),
  Q5_1: unsignedLegacy("nibbles32(q + 8) | fifth32(q + 4)"),
  Q4_K: kQuant4or5(false),
  Q5_K: kQuant4or5(true),
  Q6_K: `
  const float d = h1(q + 208);
  const int8_t *sc = (const int8_t *)(q + 192);
  lanes_t sum[4];
  int32_t offset[4];
  for (int r = 0; r < R; r++) {
    sum[r] = lanes_zero();
    offset[r] = 0;
  }
  for (int n = 0; n < 2; n++) {
    const v32u8 ql0 = load32(q + 64 * n), ql1 = load32(q + 64 * n + 32), h = load32(q + 128 + 32 * n);
    v32u8 c[4];
    c[0] = (ql0 & 15) | ((h & 3) << 4);
    c[1] = (ql1 & 15) | (((h >> 2) & 3) << 4);
    c[2] = (ql0 >> 4) | (((h >> 4) & 3) << 4);
    c[3] = (ql1 >> 4) | ((h >> 6) << 4);
    for (int k = 0; k < 4; k++) {
      const int g = 8 * n + 2 * k;
      const chunk_scales_t s2 = chunk_scales(sc[g], sc[g + 1]);
      for (int r = 0; r < R; r++) {
        sum[r] = lanes_add(sum[r], dot_u8_scaled(c[k], xr[r].q + 256 * b + 128 * n + 32 * k, s2));
        offset[r] += sc[g] * xr[r].s[16 * b + g] + sc[g + 1] * xr[r].s[16 * b + g + 1];
      }
    }
  }
  /* quants are stored plus 32 */
  for (int r = 0; r < R; r++) {
    const float dd = d * xr[r].d[b];
    acc[r] = facc_fma(acc[r], sum[r], dd);
    accm[r] += dd * (float)(-32 * offset[r]);
  }`,
};

/** Q8_0, Q4_0, Q5_0: signed quants, one scale. */
function signedLegacy(chunk: string): string {
  return `
  const v32u8 w = ${chunk};
  const float d = h1(q);
  for (int r = 0; r < R; r++) acc[r] = facc_fma(acc[r], dot_i8(w, xr[r].q + 32 * b), d * xr[r].d[b]);`;
}

/** Q4_1, Q5_1: unsigned quants, a scale and a minimum (times the block's sum of activations). */
function unsignedLegacy(chunk: string): string {
  return `
  const v32u8 w = ${chunk};
  const float d = h1(q), m = h1(q + 2);
  for (int r = 0; r < R; r++) {
    const float dx = xr[r].d[b];
    acc[r] = facc_fma(acc[r], dot_u8(w, xr[r].q + 32 * b), d * dx);
    accm[r] += m * dx * (float)(xr[r].s[2 * b] + xr[r].s[2 * b + 1]);
  }`;
}

/** Q4_K, Q5_K: eight 32-value sub-blocks with 6-bit scales and minimums. */
function kQuant4or5(fifth: boolean): string {
  const qs = fifth ? 48 : 16;
  return `
  const float d = h1(q), dmin = h1(q + 2);
  int sc[8], mn[8];
  scales_mins_k4(q + 4, sc, mn);
  ${fifth ? "const v32u8 h = load32(q + 16);" : ""}
  lanes_t sum[4];
  for (int r = 0; r < R; r++) sum[r] = lanes_zero();
  for (int i = 0; i < 4; i++) {
    const v32u8 bytes = load32(q + ${qs} + 32 * i);
    const v32u8 c0 = (bytes & 15)${fifth ? " | (((h >> (2 * i)) & 1) << 4)" : ""};
    const v32u8 c1 = (bytes >> 4)${fifth ? " | (((h >> (2 * i + 1)) & 1) << 4)" : ""};
    const chunk_scales_t s0 = chunk_scales(sc[2 * i], sc[2 * i]), s1 = chunk_scales(sc[2 * i + 1], sc[2 * i + 1]);
    for (int r = 0; r < R; r++) {
      const int8_t *x = xr[r].q + 256 * b + 64 * i;
      sum[r] = lanes_add(lanes_add(sum[r], dot_u8_scaled(c0, x, s0)), dot_u8_scaled(c1, x + 32, s1));
    }
  }
  for (int r = 0; r < R; r++) {
    const int32_t *s = xr[r].s + 16 * b;
    int32_t mins = 0;
    for (int j = 0; j < 8; j++) mins += mn[j] * (s[2 * j] + s[2 * j + 1]);
    const float dx = xr[r].d[b];
    acc[r] = facc_fma(acc[r], sum[r], d * dx);
    accm[r] -= dmin * dx * (float)mins;
  }`;
}

/**
 * C for rows of `type` times rows of x quantized in the kernel: `quantize_row`,
 * `dot_rows_q8(R, w, xs, XS, K, out, ldo)`, R ≤ 4 quantized rows (XS bytes apart) times
 * one packed weight row, each row's sum the same whatever R is, and `dot_cols_q8`, one
 * quantized row times four weight rows (decoding: no row of x to share a weight row with). Needs the float prelude
 * (h1, v16u8) before it.
 */
export function integerDotSource(type: QuantType): string {
  const body = BLOCK_DOT[type];
  if (!body) throw new Error(`internal: no integer dot product for ${type}`);
  const wb = activationBlockOf(type);
  return `
#define XB ${wb}
${PRELUDE}
static inline __attribute__((always_inline)) void block_dot(const int R, const uint8_t *restrict q,
                                                            const xrow_t *xr, int64_t b, facc_t *acc, float *accm) {${body}
}

static inline __attribute__((always_inline)) void dot_rows_q8(const int R, const uint8_t *restrict w,
                                                              const char *xs, int64_t XS, int64_t K,
                                                              float *restrict out, int64_t ldo) {
  xrow_t xr[4];
  /* Two accumulators per row, blocks alternating, so that consecutive blocks' sums do not wait
     for each other; the order is the same for every R. */
  facc_t acc0[4], acc1[4];
  float accm[4];
  for (int r = 0; r < R; r++) {
    xr[r] = xrow_at(xs + r * XS, K);
    acc0[r] = acc1[r] = facc_zero();
    accm[r] = 0.0f;
  }
  const int64_t blocks = K / ${wb};
  int64_t b = 0;
  for (; b + 1 < blocks; b += 2) {
    block_dot(R, w + BLOCK_BYTES * b, xr, b, acc0, accm);
    block_dot(R, w + BLOCK_BYTES * (b + 1), xr, b + 1, acc1, accm);
  }
  if (b < blocks) block_dot(R, w + BLOCK_BYTES * b, xr, b, acc0, accm);
  for (int r = 0; r < R; r++) out[r * ldo] = (facc_sum(acc0[r]) + facc_sum(acc1[r])) + accm[r];
}

/* One quantized row times four packed weight rows (rb bytes apart), into out[0 … 4): the
   four independent chains overlap and share each block of x, and every output takes the
   same steps as dot_rows_q8 gives it. */
static inline __attribute__((always_inline)) void dot_cols_q8(const uint8_t *restrict w, int64_t rb, const char *xs,
                                                              int64_t K, float *restrict out) {
  const xrow_t xr = xrow_at(xs, K);
  facc_t acc0[4], acc1[4];
  float accm[4];
  for (int c = 0; c < 4; c++) {
    acc0[c] = acc1[c] = facc_zero();
    accm[c] = 0.0f;
  }
  const int64_t blocks = K / ${wb};
  int64_t b = 0;
  for (; b + 1 < blocks; b += 2) {
    for (int c = 0; c < 4; c++) block_dot(1, w + c * rb + BLOCK_BYTES * b, &xr, b, acc0 + c, accm + c);
    for (int c = 0; c < 4; c++) block_dot(1, w + c * rb + BLOCK_BYTES * (b + 1), &xr, b + 1, acc1 + c, accm + c);
  }
  if (b < blocks)
    for (int c = 0; c < 4; c++) block_dot(1, w + c * rb + BLOCK_BYTES * b, &xr, b, acc0 + c, accm + c);
  for (int c = 0; c < 4; c++) out[c] = (facc_sum(acc0[c]) + facc_sum(acc1[c])) + accm[c];
}
`;
}
