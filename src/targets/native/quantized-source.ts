import type { QuantType } from "../../quant/index.js";
import { kernelSignature } from "./native-kernel.js";

/**
 * The C of the native target's quantized kernels, one source per ggml type: `decode32`
 * turns 32 consecutive values of a packed row into four 8-lane float vectors (GCC/Clang
 * vector extensions, which compile to AVX2 here and to whatever vectors a machine has
 * elsewhere), and the two kernels are built on it:
 *
 * - quantizedMatmul, out[m, n] = Σ_k x[m, k] · W[n, k]. Activations stay float32 (they are
 *   not quantized to Q8 as llama.cpp does): the weights are decoded to float in registers
 *   and multiplied by fused multiply-add, so the result differs from the reference (the
 *   codec's values, a float64 sum) only by the order of float32 additions. With at most
 *   four rows of x (token-by-token decoding) each weight row streams once from memory,
 *   decoded straight into the products; with more (prompt prefill) a tile unit decodes
 *   four weight rows into a small buffer and multiplies every row of its x block by them,
 *   so decoding costs one pass per block instead of one per row.
 * - dequantize, the rows as float32: bit-identical to the codec, since every value is a
 *   product of a binary16 scale by small integers (exact in float32) with at most one
 *   rounded addition, which fused multiply-add rounds the same way.
 */

/** Parameter slots, after p[0] (the arena). */
export const QuantParam = {
  X: 1,
  W: 2,
  OUT: 3,
  M: 4,
  N: 5,
  K: 6,
  ROW_BYTES: 7,
  /** Rows of x per tile unit. */
  MU: 8,
  /** Rows of W per tile unit. */
  NU: 9,
  COL_UNITS: 10,
} as const;

/** Rows of x up to which the product streams the weights instead of decoding them into a buffer. */
export const STREAM_ROWS = 4;

/** How to decode 32 values starting at chunk `c` (values 32c…32c+31) of row `w`, into `o[4]`. */
const DECODE32: Record<QuantType, string> = {
  F32: `
  const uint8_t *s = w + 128 * c;
  for (int i = 0; i < 4; i++) o[i] = *(const v8fu *)(s + 32 * i);`,
  F16: `
  const uint8_t *s = w + 64 * c;
  for (int i = 0; i < 4; i++) o[i] = h8(s + 16 * i);`,
  BF16: `
  const uint8_t *s = w + 64 * c;
  for (int i = 0; i < 4; i++) o[i] = bf16x8(s + 16 * i);`,
  Q8_0: `
  const uint8_t *b = w + 34 * c;
  const v8f d = splat(h1(b));
  for (int i = 0; i < 4; i++) o[i] = i8x8(b + 2 + 8 * i) * d;`,
  Q4_0: `
  const uint8_t *b = w + 18 * c;
  nibbles(b + 2, o);
  const v8f d = splat(h1(b));
  for (int i = 0; i < 4; i++) o[i] = (o[i] - 8) * d;`,
  Q4_1: `
  const uint8_t *b = w + 20 * c;
  nibbles(b + 4, o);
  const v8f d = splat(h1(b)), m = splat(h1(b + 2));
  for (int i = 0; i < 4; i++) o[i] = o[i] * d + m;`,
  Q5_0: `
  const uint8_t *b = w + 22 * c;
  fifth_bits(b + 2, b + 6, o);
  const v8f d = splat(h1(b));
  for (int i = 0; i < 4; i++) o[i] = (o[i] - 16) * d;`,
  Q5_1: `
  const uint8_t *b = w + 24 * c;
  fifth_bits(b + 4, b + 8, o);
  const v8f d = splat(h1(b)), m = splat(h1(b + 2));
  for (int i = 0; i < 4; i++) o[i] = o[i] * d + m;`,
  Q4_K: `
  const uint8_t *b = w + 144 * (c >> 3);
  const int j = (int)(c & 7);
  uint8_t sc, m;
  scale_min_k4(j, b + 4, &sc, &m);
  const v8f d = splat(h1(b) * sc), dm = splat(-(h1(b + 2) * m));
  v16u8 lo, hi;
  memcpy(&lo, b + 16 + 32 * (j >> 1), 16);
  memcpy(&hi, b + 32 + 32 * (j >> 1), 16);
  const int shift = 4 * (j & 1);
  lo = (lo >> shift) & 15;
  hi = (hi >> shift) & 15;
  o[0] = u8_low(lo) * d + dm;
  o[1] = u8_high(lo) * d + dm;
  o[2] = u8_low(hi) * d + dm;
  o[3] = u8_high(hi) * d + dm;`,
  Q5_K: `
  const uint8_t *b = w + 176 * (c >> 3);
  const int j = (int)(c & 7);
  uint8_t sc, m;
  scale_min_k4(j, b + 4, &sc, &m);
  const v8f d = splat(h1(b) * sc), dm = splat(-(h1(b + 2) * m));
  v16u8 lo, hi, hlo, hhi;
  memcpy(&lo, b + 48 + 32 * (j >> 1), 16);
  memcpy(&hi, b + 64 + 32 * (j >> 1), 16);
  memcpy(&hlo, b + 16, 16);
  memcpy(&hhi, b + 32, 16);
  const int shift = 4 * (j & 1);
  lo = ((lo >> shift) & 15) | (((hlo >> j) & 1) << 4);
  hi = ((hi >> shift) & 15) | (((hhi >> j) & 1) << 4);
  o[0] = u8_low(lo) * d + dm;
  o[1] = u8_high(lo) * d + dm;
  o[2] = u8_low(hi) * d + dm;
  o[3] = u8_high(hi) * d + dm;`,
  Q6_K: `
  const uint8_t *b = w + 210 * (c >> 3);
  const int j = (int)(c & 7), n = j >> 2, qq = j & 3;
  const float d = h1(b + 208);
  const int8_t *sc = (const int8_t *)(b + 192) + 8 * n + 2 * qq;
  v16u8 l0, l1, h0, h1v;
  memcpy(&l0, b + 64 * n + 32 * (qq & 1), 16);
  memcpy(&l1, b + 64 * n + 32 * (qq & 1) + 16, 16);
  memcpy(&h0, b + 128 + 32 * n, 16);
  memcpy(&h1v, b + 144 + 32 * n, 16);
  const int shift = 4 * (qq >> 1);
  l0 = ((l0 >> shift) & 15) | (((h0 >> (2 * qq)) & 3) << 4);
  l1 = ((l1 >> shift) & 15) | (((h1v >> (2 * qq)) & 3) << 4);
  const v8f s0 = splat(d * sc[0]), s1 = splat(d * sc[1]);
  o[0] = (u8_low(l0) - 32) * s0;
  o[1] = (u8_high(l0) - 32) * s0;
  o[2] = (u8_low(l1) - 32) * s1;
  o[3] = (u8_high(l1) - 32) * s1;`,
};

/** One value k of a row of a plain float type: the tail of a row that is not whole chunks. */
const DECODE1: Partial<Record<QuantType, string>> = {
  F32: "float v; memcpy(&v, w + 4 * k, 4); return v;",
  F16: "return h1(w + 2 * k);",
  BF16: "uint32_t u = (uint32_t)(w[2 * k] | w[2 * k + 1] << 8) << 16; float v; memcpy(&v, &u, 4); return v;",
};

const PRELUDE = `#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#if defined(__F16C__) || defined(__AVX2__)
#include <immintrin.h>
#endif

typedef float v8f __attribute__((vector_size(32)));
typedef float v8fu __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u32 __attribute__((vector_size(32)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

static inline v8f splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* binary16 → float32, exact. */
#if defined(__F16C__)
static inline float h1(const uint8_t *p) { return _cvtsh_ss((unsigned short)(p[0] | p[1] << 8)); }
static inline v8f h8(const uint8_t *p) { return (v8f)_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
#else
static inline float h1(const uint8_t *p) {
  const uint32_t h = (uint32_t)(p[0] | p[1] << 8);
  const uint32_t sign = (h & 0x8000u) << 16, e = (h >> 10) & 31, m = h & 1023;
  float v;
  if (e == 0) {
    v = (float)m * 5.9604644775390625e-8f;
    return sign ? -v : v;
  }
  const uint32_t u = sign | (e == 31 ? 0x7f800000u | m << 13 : (e + 112) << 23 | m << 13);
  memcpy(&v, &u, 4);
  return v;
}
static inline v8f h8(const uint8_t *p) {
  v8f r;
  for (int i = 0; i < 8; i++) r[i] = h1(p + 2 * i);
  return r;
}
#endif

/* Byte and halfword lanes widened to float. Compilers turn conversions of vectors narrower
   than a register into one instruction per lane, so x86 gets its widening instructions. */
#if defined(__AVX2__)
static inline v8f u8_low(v16u8 q) { return (v8f)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32((__m128i)q)); }
static inline v8f u8_high(v16u8 q) {
  return (v8f)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64((__m128i)q, (__m128i)q)));
}
static inline v8f i8x8(const uint8_t *p) {
  return (v8f)_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
static inline v8f bf16x8(const uint8_t *p) {
  return (v8f)_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16);
}
#else
static inline v8f u8_low(v16u8 q) {
  v8f r;
  for (int i = 0; i < 8; i++) r[i] = (float)q[i];
  return r;
}
static inline v8f u8_high(v16u8 q) {
  v8f r;
  for (int i = 0; i < 8; i++) r[i] = (float)q[i + 8];
  return r;
}
static inline v8f i8x8(const uint8_t *p) {
  v8f r;
  for (int i = 0; i < 8; i++) r[i] = (float)(int8_t)p[i];
  return r;
}
static inline v8f bf16x8(const uint8_t *p) {
  v8u32 u;
  for (int i = 0; i < 8; i++) u[i] = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) << 16;
  return (v8f)u;
}
#endif

/* 32 4-bit quants as floats: value j in the low nibble of byte j, value j+16 in the high one.
   (Scales are applied by the caller in the codec's order of operations, so that a zero
   keeps its sign.) */
static inline void nibbles(const uint8_t *qs, v8f o[4]) {
  v16u8 q;
  memcpy(&q, qs, 16);
  const v16u8 lo = q & 15, hi = q >> 4;
  o[0] = u8_low(lo);
  o[1] = u8_high(lo);
  o[2] = u8_low(hi);
  o[3] = u8_high(hi);
}

/* As nibbles, with each value's fifth bit in the little-endian uint32 at qh (bit j: value j). */
static inline void fifth_bits(const uint8_t *qh, const uint8_t *qs, v8f o[4]) {
  v16u8 h = {0};
  memcpy(&h, qh, 4);
  v16u8 q;
  memcpy(&q, qs, 16);
  const v16u8 bit = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
  /* Byte 0 of qh for values 0–7, byte 1 for 8–15 (low nibbles); bytes 2, 3 for the high ones. */
  const v16u8 h0 = __builtin_shufflevector(h, h, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const v16u8 h1v = __builtin_shufflevector(h, h, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const v16u8 lo = (q & 15) | ((v16u8)((h0 & bit) != 0) & 16);
  const v16u8 hi = (q >> 4) | ((v16u8)((h1v & bit) != 0) & 16);
  o[0] = u8_low(lo);
  o[1] = u8_high(lo);
  o[2] = u8_low(hi);
  o[3] = u8_high(hi);
}

/* The (scale, min) pair j of a Q4_K/Q5_K super-block's 12 packed bytes. */
static inline void scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

static inline float hsum(v8f v) {
  const float a = (v[0] + v[4]) + (v[1] + v[5]);
  const float b = (v[2] + v[6]) + (v[3] + v[7]);
  return a + b;
}
`;

function decoders(type: QuantType): string {
  const one = DECODE1[type];
  return `
/* Values 32c … 32c+31 of the packed row w. */
static inline void decode32(const uint8_t *restrict w, int64_t c, v8f o[4]) {${DECODE32[type]}
}
${one ? `static inline float decode1(const uint8_t *restrict w, int64_t k) { ${one} }\n#define HAS_TAIL 1` : "#define HAS_TAIL 0"}
`;
}

/** The quantizedMatmul kernel for rows of `type`. */
export function quantizedMatmulSource(type: QuantType): string {
  const P = QuantParam;
  return `${PRELUDE}${decoders(type)}
/*
 * Rows x[0 … R) times one packed row: R dot products, the weights decoded once. A products
 * accumulate into A vectors per row, so that consecutive fused multiply-adds do not wait
 * for each other.
 */
#define DOT_ROWS(R, A)                                                                           \
  static inline void dot_##R(const uint8_t *restrict w, const float *restrict x, int64_t K,     \
                             float *restrict out, int64_t ldo) {                                 \
    v8f acc[R][A];                                                                               \
    for (int r = 0; r < R; r++)                                                                  \
      for (int a = 0; a < A; a++) acc[r][a] = splat(0);                                          \
    const int64_t chunks = K / 32;                                                               \
    for (int64_t c = 0; c < chunks; c++) {                                                       \
      v8f q[4];                                                                                  \
      decode32(w, c, q);                                                                         \
      for (int r = 0; r < R; r++)                                                                \
        for (int i = 0; i < 4; i++) acc[r][i % A] += q[i] * *(const v8fu *)(x + r * K + 32 * c + 8 * i); \
    }                                                                                            \
    for (int r = 0; r < R; r++) {                                                                \
      v8f t = acc[r][0];                                                                         \
      for (int a = 1; a < A; a++) t += acc[r][a];                                                \
      float s = hsum(t);                                                                         \
      if (HAS_TAIL)                                                                              \
        for (int64_t k = 32 * chunks; k < K; k++) s += DECODE1(w, k) * x[r * K + k];            \
      out[r * ldo] = s;                                                                          \
    }                                                                                            \
  }
#if HAS_TAIL
#define DECODE1(w, k) decode1(w, k)
#else
#define DECODE1(w, k) 0.0f
#endif
DOT_ROWS(1, 4)
DOT_ROWS(2, 2)
DOT_ROWS(3, 2)
DOT_ROWS(4, 2)

/* Packed rows w[0 … rows) decoded into buf (rows × K floats). */
static void decode_rows(const uint8_t *restrict w, int64_t rb, int64_t rows, int64_t K, float *restrict buf) {
  const int64_t chunks = K / 32;
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t *wr = w + r * rb;
    float *br = buf + r * K;
    for (int64_t c = 0; c < chunks; c++) {
      v8f q[4];
      decode32(wr, c, q);
      for (int i = 0; i < 4; i++) *(v8fu *)(br + 32 * c + 8 * i) = q[i];
    }
#if HAS_TAIL
    for (int64_t k = 32 * chunks; k < K; k++) br[k] = decode1(wr, k);
#endif
  }
}

/* t[i][j] = Σ_k x_i[k] · w_j[k] for four rows of x and two decoded weight rows. */
static inline void block_4x2(const float *const xr[4], const float *w0, const float *w1, int64_t K,
                             float t[4][2]) {
  v8f acc[4][2];
  for (int i = 0; i < 4; i++) acc[i][0] = acc[i][1] = splat(0);
  const int64_t K8 = K & ~(int64_t)7;
  for (int64_t k = 0; k < K8; k += 8) {
    const v8f a = *(const v8fu *)(w0 + k), b = *(const v8fu *)(w1 + k);
    for (int i = 0; i < 4; i++) {
      const v8f xi = *(const v8fu *)(xr[i] + k);
      acc[i][0] += xi * a;
      acc[i][1] += xi * b;
    }
  }
  for (int i = 0; i < 4; i++) {
    float s0 = hsum(acc[i][0]), s1 = hsum(acc[i][1]);
    for (int64_t k = K8; k < K; k++) {
      s0 += xr[i][k] * w0[k];
      s1 += xr[i][k] * w1[k];
    }
    t[i][0] = s0;
    t[i][1] = s1;
  }
}

static __thread float *workspace_ptr;
static __thread int64_t workspace_floats;
static float *workspace(int64_t floats) {
  if (floats > workspace_floats) {
    free(workspace_ptr);
    void *p = 0;
    if (posix_memalign(&p, 64, (size_t)floats * 4) != 0) abort();
    workspace_ptr = (float *)p;
    workspace_floats = floats;
  }
  return workspace_ptr;
}

${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const float *const x = (const float *)(arena + p[${P.X}]);
  const uint8_t *const w = (const uint8_t *)(arena + p[${P.W}]);
  float *const out = (float *)(arena + p[${P.OUT}]);
  const int64_t M = p[${P.M}], N = p[${P.N}], K = p[${P.K}], rb = p[${P.ROW_BYTES}];
  const int64_t MU = p[${P.MU}], NU = p[${P.NU}], cols = p[${P.COL_UNITS}];
  for (int64_t u = begin; u < end; u++) {
    const int64_t m0 = (u / cols) * MU, m1 = min64(M, m0 + MU);
    const int64_t n0 = (u % cols) * NU, n1 = min64(N, n0 + NU);
    if (M <= ${STREAM_ROWS}) {
      for (int64_t n = n0; n < n1; n++) {
        const uint8_t *wn = w + n * rb;
        switch (M) {
          case 1: dot_1(wn, x, K, out + n, N); break;
          case 2: dot_2(wn, x, K, out + n, N); break;
          case 3: dot_3(wn, x, K, out + n, N); break;
          default: dot_4(wn, x, K, out + n, N); break;
        }
      }
      continue;
    }
    /* Four weight rows decoded at a time, multiplied by every row of x in the unit. */
    float *buf = workspace(4 * K + 8);
    for (int64_t n = n0; n < n1; n += 4) {
      const int nr = (int)min64(4, n1 - n);
      decode_rows(w + n * rb, rb, nr, K, buf);
      for (int64_t m = m0; m < m1; m += 4) {
        const int mr = (int)min64(4, m1 - m);
        /* Rows past the end of x or of the decoded block read the first one again; their
           products are not stored. */
        const float *xr[4];
        for (int i = 0; i < 4; i++) xr[i] = x + (m + (i < mr ? i : 0)) * K;
        for (int j = 0; j < nr; j += 2) {
          float t[4][2];
          block_4x2(xr, buf + j * K, buf + (j + 1 < nr ? j + 1 : j) * K, K, t);
          for (int i = 0; i < mr; i++) {
            out[(m + i) * N + n + j] = t[i][0];
            if (j + 1 < nr) out[(m + i) * N + n + j + 1] = t[i][1];
          }
        }
      }
    }
  }
}
`;
}

/** The dequantize kernel for rows of `type`: tile units of ROWS rows. */
export function dequantizeSource(type: QuantType): string {
  return `${PRELUDE}${decoders(type)}
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const uint8_t *const w = (const uint8_t *)(arena + p[1]);
  float *const out = (float *)(arena + p[2]);
  const int64_t rows = p[3], K = p[4], rb = p[5], per = p[6];
  const int64_t chunks = K / 32;
  for (int64_t u = begin; u < end; u++) {
    for (int64_t r = u * per; r < min64(rows, (u + 1) * per); r++) {
      const uint8_t *wr = w + r * rb;
      float *o = out + r * K;
      for (int64_t c = 0; c < chunks; c++) {
        v8f q[4];
        decode32(wr, c, q);
        for (int i = 0; i < 4; i++) *(v8fu *)(o + 32 * c + 8 * i) = q[i];
      }
#if HAS_TAIL
      for (int64_t k = 32 * chunks; k < K; k++) o[k] = decode1(wr, k);
#endif
    }
  }
}
`;
}
