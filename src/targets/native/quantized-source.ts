import type { QuantType } from "../../quant/index.js";
import { integerDotSource } from "./integer-dot-source.js";
import { kernelSignature } from "./native-kernel.js";

/** Types whose products stay in float32 (with rounding, x is rounded to the weights' format). */
const FLOAT_TYPES: ReadonlySet<QuantType> = new Set(["F32", "F16", "BF16"]);

/**
 * The C of the native target's quantized kernels, one source per ggml type: `decode_block`
 * turns a block of a packed row (32 values, or 256 for the K types) into floats (GCC/Clang
 * vector extensions, which compile to AVX2 here and to whatever vectors a machine has
 * elsewhere), and the two kernels are built on it:
 *
 * - quantizedMatmul, out[m, n] = Σ_k x[m, k] · W[n, k]. Activations stay float32 (they are
 *   not quantized to Q8 as llama.cpp does): the weights are decoded to float and multiplied
 *   by fused multiply-add, so the result differs from the reference (the codec's values, a
 *   float64 sum) only by the order of float32 additions. With at most four rows of x
 *   (token-by-token decoding) each weight row streams once from memory, decoded 32 values at
 *   a time into registers, a block's scales read once; with more (prompt prefill) a tile
 *   unit puts its rows of x in six-row panels and decodes sixteen weight rows at a time into
 *   a transposed panel, and a 6×16 register-blocked kernel multiplies them, 256 values of K
 *   at a time, so decoding costs one pass over the weights per unit.
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

/**
 * How each type decodes: `scales` reads a block's scales once (into `s`, of type scales_t:
 * d[j] and m[j] per 32-value chunk j), `chunk` turns chunk j of the block at `q` into four
 * vectors `o` (x = q·d + m, or (q − offset)·d, in the codec's order of operations). A
 * block is 32 values (BLOCK_BYTES bytes), or 256 for the K types.
 */
interface Decoder {
  readonly block: number;
  readonly bytes: number;
  readonly scales: string;
  readonly chunk: string;
}

const DECODE: Record<QuantType, Decoder> = {
  F32: {
    block: 32,
    bytes: 128,
    scales: "",
    chunk: "for (int i = 0; i < 4; i++) o[i] = *(const v8fu *)(q + 32 * i);",
  },
  F16: { block: 32, bytes: 64, scales: "", chunk: "for (int i = 0; i < 4; i++) o[i] = h8(q + 16 * i);" },
  BF16: { block: 32, bytes: 64, scales: "", chunk: "for (int i = 0; i < 4; i++) o[i] = bf16x8(q + 16 * i);" },
  Q8_0: {
    block: 32,
    bytes: 34,
    scales: "s->d[0] = h1(q);",
    chunk: "for (int i = 0; i < 4; i++) o[i] = i8x8(q + 2 + 8 * i) * splat(s->d[0]);",
  },
  Q4_0: {
    block: 32,
    bytes: 18,
    scales: "s->d[0] = h1(q);",
    chunk: "nibbles(q + 2, o);\n  for (int i = 0; i < 4; i++) o[i] = (o[i] - 8) * splat(s->d[0]);",
  },
  Q4_1: {
    block: 32,
    bytes: 20,
    scales: "s->d[0] = h1(q);\n  s->m[0] = h1(q + 2);",
    chunk: "nibbles(q + 4, o);\n  for (int i = 0; i < 4; i++) o[i] = o[i] * splat(s->d[0]) + splat(s->m[0]);",
  },
  Q5_0: {
    block: 32,
    bytes: 22,
    scales: "s->d[0] = h1(q);",
    chunk: "fifth_bits(q + 2, q + 6, o);\n  for (int i = 0; i < 4; i++) o[i] = (o[i] - 16) * splat(s->d[0]);",
  },
  Q5_1: {
    block: 32,
    bytes: 24,
    scales: "s->d[0] = h1(q);\n  s->m[0] = h1(q + 2);",
    chunk:
      "fifth_bits(q + 4, q + 8, o);\n  for (int i = 0; i < 4; i++) o[i] = o[i] * splat(s->d[0]) + splat(s->m[0]);",
  },
  // Sub-block j: the low (j even) or high (j odd) nibbles of bytes 16 + 32·(j/2) …
  Q4_K: {
    block: 256,
    bytes: 144,
    scales: "scales_k4(q, s);",
    chunk: `v16u8 a, c;
  memcpy(&a, q + 16 + 32 * (j >> 1), 16);
  memcpy(&c, q + 32 + 32 * (j >> 1), 16);
  if (j & 1) {
    a >>= 4;
    c >>= 4;
  }
  scaled_bytes(a & 15, c & 15, s->d[j], s->m[j], o);`,
  },
  // As Q4_K, with the fifth bit of value l of sub-block j in bit j of qh[l] (bytes 16 … 47).
  Q5_K: {
    block: 256,
    bytes: 176,
    scales: "scales_k4(q, s);",
    chunk: `v16u8 a, c, ha, hc;
  memcpy(&a, q + 48 + 32 * (j >> 1), 16);
  memcpy(&c, q + 64 + 32 * (j >> 1), 16);
  memcpy(&ha, q + 16, 16);
  memcpy(&hc, q + 32, 16);
  if (j & 1) {
    a >>= 4;
    c >>= 4;
  }
  scaled_bytes((a & 15) | (((ha >> j) & 1) << 4), (c & 15) | (((hc >> j) & 1) << 4), s->d[j], s->m[j], o);`,
  },
  // Chunk j = 4n + k: quarter k of half n. Values l < 32 of a quarter: ql[l] (k = 0, 2) or
  // ql[l + 32] (k = 1, 3) of the half, low nibble for k < 2, high for k ≥ 2, and bits 2k,
  // 2k+1 of qh[l]; sub-block scales sc[8n + 2k] (l < 16) and sc[8n + 2k + 1].
  Q6_K: {
    block: 256,
    bytes: 210,
    scales: `const float d = h1(q + 208);
  const int8_t *sc = (const int8_t *)(q + 192);
  for (int j = 0; j < 8; j++) {
    s->d[j] = d * sc[8 * (j >> 2) + 2 * (j & 3)];
    s->m[j] = d * sc[8 * (j >> 2) + 2 * (j & 3) + 1];
  }`,
    chunk: `const int n = j >> 2, k = j & 3;
  v16u8 a, c, ha, hc;
  memcpy(&a, q + 64 * n + 32 * (k & 1), 16);
  memcpy(&c, q + 64 * n + 32 * (k & 1) + 16, 16);
  memcpy(&ha, q + 128 + 32 * n, 16);
  memcpy(&hc, q + 144 + 32 * n, 16);
  if (k >= 2) {
    a >>= 4;
    c >>= 4;
  }
  a = (a & 15) | (((ha >> (2 * k)) & 3) << 4);
  c = (c & 15) | (((hc >> (2 * k)) & 3) << 4);
  const v8f s0 = splat(s->d[j]), s1 = splat(s->m[j]);
  o[0] = (u8_low(a) - 32) * s0;
  o[1] = (u8_high(a) - 32) * s0;
  o[2] = (u8_low(c) - 32) * s1;
  o[3] = (u8_high(c) - 32) * s1;`,
  },
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
#include <math.h>
#if defined(__F16C__) || defined(__AVX2__)
#include <immintrin.h>
#endif

typedef float v8f __attribute__((vector_size(32)));
typedef float v8fu __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef uint32_t v8u32 __attribute__((vector_size(32)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

static inline v8f splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }
static inline void store8(float *p, v8f v) { *(v8fu *)p = v; }
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

/* The binary16 nearest to v (ties to even), as a float. */
static inline float f16_round(float v) {
#if defined(__F16C__)
  return _cvtsh_ss(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT));
#elif defined(__FLT16_MAX__)
  return (float)(_Float16)v;
#else
  uint32_t u;
  memcpy(&u, &v, 4);
  const float a = fabsf(v);
  if (a >= 65520.0f) return v > 0 ? INFINITY : -INFINITY;
  if (a < 6.103515625e-05f) return (v + 0.75f) - 0.75f; /* subnormal: a multiple of 2^-24 */
  u = (u + 0xfff + ((u >> 13) & 1)) & ~0x1fffu;
  memcpy(&v, &u, 4);
  return v;
#endif
}

/* The bfloat16 nearest to v (ties to even; a NaN stays a quiet NaN), as a float. */
static inline float bf16_round(float v) {
  uint32_t u;
  memcpy(&u, &v, 4);
  u = (u & 0x7fffffffu) > 0x7f800000u ? (u | 0x400000u) & 0xffff0000u : (u + 0x7fffu + ((u >> 16) & 1)) & 0xffff0000u;
  memcpy(&v, &u, 4);
  return v;
}

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

/* A block's scales: d[j] and m[j] for its 32-value chunk j. */
typedef struct {
  float d[8], m[8];
} scales_t;

/* d·scale and dmin·min of the eight sub-blocks of a Q4_K/Q5_K super-block (exact products). */
static inline void scales_k4(const uint8_t *q, scales_t *s) {
  const float d = h1(q), dmin = h1(q + 2);
  for (int j = 0; j < 8; j++) {
    uint8_t sc, m;
    scale_min_k4(j, q + 4, &sc, &m);
    s->d[j] = d * sc;
    s->m[j] = dmin * m;
  }
}

/* 32 quants (16 in each of a and c) times d minus m, as the codec rounds: one rounding. */
static inline void scaled_bytes(v16u8 a, v16u8 c, float d, float m, v8f o[4]) {
  const v8f vd = splat(d), vm = splat(m);
  o[0] = u8_low(a) * vd - vm;
  o[1] = u8_high(a) * vd - vm;
  o[2] = u8_low(c) * vd - vm;
  o[3] = u8_high(c) * vd - vm;
}

static inline float hsum(v8f v) {
  const float a = (v[0] + v[4]) + (v[1] + v[5]);
  const float b = (v[2] + v[6]) + (v[3] + v[7]);
  return a + b;
}
`;

function decoders(type: QuantType): string {
  const one = DECODE1[type];
  const { block, bytes, scales, chunk } = DECODE[type];
  return `
#define BLOCK ${block}
#define BLOCK_BYTES ${bytes}
static inline void block_scales(const uint8_t *restrict q, scales_t *restrict s) {
  (void)q;
  (void)s;
  ${scales}
}
static inline void decode_chunk(const uint8_t *restrict q, const scales_t *restrict s, int j, v8f o[4]) {
  (void)s;
  (void)j;
  ${chunk}
}
/* Values BLOCK·b … BLOCK·b + BLOCK − 1 of the packed row w. */
static inline void decode_block(const uint8_t *restrict w, int64_t b, float *restrict out) {
  const uint8_t *q = w + BLOCK_BYTES * b;
  scales_t s;
  block_scales(q, &s);
  for (int j = 0; j < BLOCK / 32; j++) {
    v8f o[4];
    decode_chunk(q, &s, j, o);
    for (int i = 0; i < 4; i++) store8(out + 32 * j + 8 * i, o[i]);
  }
}
${one ? `static inline float decode1(const uint8_t *restrict w, int64_t k) { ${one} }\n#define HAS_TAIL 1` : "#define HAS_TAIL 0"}
/* Rows w[0 … rows) (rb bytes apart), values [k0, k0 + kc), into buf (rows × kc floats); k0 and
   kc are whole blocks except at the end of a row. */
static void decode_rows(const uint8_t *restrict w, int64_t rb, int64_t rows, int64_t k0, int64_t kc,
                        int64_t K, float *restrict buf) {
  for (int64_t r = 0; r < rows; r++) {
    const uint8_t *wr = w + r * rb;
    float *br = buf + r * kc;
    const int64_t whole = (k0 + kc <= K / BLOCK * BLOCK ? kc : K / BLOCK * BLOCK - k0) / BLOCK;
    for (int64_t b = 0; b < whole; b++) decode_block(wr, k0 / BLOCK + b, br + BLOCK * b);
#if HAS_TAIL
    for (int64_t k = k0 + BLOCK * whole; k < k0 + kc; k++) br[k - k0] = decode1(wr, k);
#endif
  }
}
`;
}

/**
 * The quantizedMatmul kernel for rows of `type`. With `roundActivations`, x is rounded as
 * llama.cpp rounds it: the K and 32-value block types quantize it to Q8 blocks, and up to
 * STREAM_ROWS rows (decoding) take integer dot products (integer-dot-source.ts); more rows
 * (a prompt) multiply the blocks' values in the float GEMM, whose register tiles share each
 * decoded weight panel among many rows (faster here than four rows of integer dot products
 * at a time). F16 and BF16 round x into a workspace that the float products read.
 */
export function quantizedMatmulSource(type: QuantType, roundActivations: boolean): string {
  const P = QuantParam;
  const integer = roundActivations && !FLOAT_TYPES.has(type);
  const rounding =
    roundActivations && (type === "F16" || type === "BF16") ? `${type.toLowerCase()}_round` : "";
  return `${PRELUDE}${decoders(type)}${integer ? integerDotSource(type) : ""}
/*
 * Rows x[0 … R) times one packed row: R dot products, each chunk of weights decoded once
 * into registers. Each row accumulates into A vectors, so that consecutive fused
 * multiply-adds do not wait for each other. Inlined with constant R and A, so that the
 * accumulators live in registers.
 */
static inline __attribute__((always_inline)) void dot_rows(const int R, const int A, const uint8_t *restrict w,
                                                           const float *restrict x, int64_t K,
                                                           float *restrict out, int64_t ldo) {
  v8f acc[4][4];
  for (int r = 0; r < R; r++)
    for (int a = 0; a < A; a++) acc[r][a] = splat(0);
  const int64_t blocks = K / BLOCK;
  for (int64_t b = 0; b < blocks; b++) {
    const uint8_t *q = w + BLOCK_BYTES * b;
    scales_t s;
    block_scales(q, &s);
#pragma GCC unroll 8
    for (int j = 0; j < BLOCK / 32; j++) {
      v8f o[4];
      decode_chunk(q, &s, j, o);
      const float *xj = x + BLOCK * b + 32 * j;
      for (int r = 0; r < R; r++)
        for (int i = 0; i < 4; i++) acc[r][i % A] += o[i] * *(const v8fu *)(xj + r * K + 8 * i);
    }
  }
  for (int r = 0; r < R; r++) {
    v8f t = acc[r][0];
    for (int a = 1; a < A; a++) t += acc[r][a];
    float s = hsum(t);
#if HAS_TAIL
    for (int64_t k = BLOCK * blocks; k < K; k++) s += decode1(w, k) * x[r * K + k];
#endif
    out[r * ldo] = s;
  }
}

/*
 * The many-row product is a register-blocked GEMM on panels: MR rows of x k-major
 * (xp[k·MR + r]) times NR decoded weight rows k-major (wp[k·NR + c]), MR×NR accumulators
 * in registers, one broadcast of x per row and step of k, like the float32 matmul kernel.
 */
#define MR 6
#define NR 16
#define KC 256

/* Weight rows w[0 … nr) (rb bytes apart), values [k0, k0 + kc), transposed into the panel wp. */
static void weight_panel(const uint8_t *restrict w, int64_t rb, int nr, int64_t k0, int64_t kc, int64_t K,
                         float *restrict tmp, float *restrict wp) {
  for (int c = 0; c < NR; c++) {
    if (c < nr) {
      decode_rows(w + c * rb, rb, 1, k0, kc, K, tmp);
      for (int64_t k = 0; k < kc; k++) wp[k * NR + c] = tmp[k];
    } else {
      for (int64_t k = 0; k < kc; k++) wp[k * NR + c] = 0.0f;
    }
  }
}

/* Rows x[0 … mr) (K floats apart), values [0, kc), into the panel xp; missing rows are zeros. */
static void x_panel(const float *restrict x, int64_t K, int mr, int64_t kc, float *restrict xp) {
  for (int64_t k = 0; k < kc; k++)
    for (int r = 0; r < MR; r++) xp[k * MR + r] = r < mr ? x[r * K + k] : 0.0f;
}

/* out[i, j] (+)= Σ_k xp[k, i] · wp[k, j] for i < mr, j < nr (out rows ldo apart). */
static void micro(const float *restrict xp, const float *restrict wp, int64_t kc, float *restrict out, int64_t ldo,
                  int mr, int nr, int first) {
  v8f acc[MR][2];
  for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = splat(0);
  for (int64_t k = 0; k < kc; k++) {
    const v8f b0 = *(const v8f *)(wp + k * NR), b1 = *(const v8f *)(wp + k * NR + 8);
    for (int r = 0; r < MR; r++) {
      const v8f a = splat(xp[k * MR + r]);
      acc[r][0] += a * b0;
      acc[r][1] += a * b1;
    }
  }
  for (int r = 0; r < mr; r++) {
    float t[NR] __attribute__((aligned(32)));
    *(v8f *)t = acc[r][0];
    *(v8f *)(t + 8) = acc[r][1];
    float *o = out + r * ldo;
    if (first)
      for (int j = 0; j < nr; j++) o[j] = t[j];
    else
      for (int j = 0; j < nr; j++) o[j] += t[j];
  }
}

/* Per-thread scratch, grown as needed and kept: [0] the panels of the float GEMM, [1] x's rows
   as the products read them (rounded or quantized). */
static __thread void *workspace_ptr[2];
static __thread int64_t workspace_bytes[2];
static void *workspace(int which, int64_t bytes) {
  if (bytes > workspace_bytes[which]) {
    free(workspace_ptr[which]);
    void *p = 0;
    if (posix_memalign(&p, 64, (size_t)bytes) != 0) abort();
    workspace_ptr[which] = p;
    workspace_bytes[which] = bytes;
  }
  return workspace_ptr[which];
}

/* Rows [m0, m1) of x times weight rows [n0, n1) (rows of x in xu, K floats apart). */
static void float_unit(const float *restrict xu, const uint8_t *restrict w, float *restrict out, int64_t M,
                       int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t N, int64_t K, int64_t rb) {
  if (M <= ${STREAM_ROWS}) {
    for (int64_t n = n0; n < n1; n++) {
      const uint8_t *wn = w + n * rb;
      switch (M) {
        case 1: dot_rows(1, 4, wn, xu, K, out + n, N); break;
        case 2: dot_rows(2, 2, wn, xu, K, out + n, N); break;
        case 3: dot_rows(3, 2, wn, xu, K, out + n, N); break;
        default: dot_rows(4, 2, wn, xu, K, out + n, N); break;
      }
    }
    return;
  }
  /* Blocks of KC values: the unit's rows of x in MR-row panels, then NR weight rows at a
     time decoded into a panel (in L1) that every x panel multiplies. */
  const int64_t rows = m1 - m0, panels = (rows + MR - 1) / MR;
  float *xp = (float *)workspace(0, 4 * (panels * MR * KC + NR * KC + KC));
  float *wp = xp + panels * MR * KC, *tmp = wp + NR * KC;
  for (int64_t k0 = 0; k0 < K; k0 += KC) {
    const int64_t kc = min64(KC, K - k0);
    for (int64_t p = 0; p < panels; p++)
      x_panel(xu + p * MR * K + k0, K, (int)min64(MR, rows - p * MR), kc, xp + p * MR * kc);
    for (int64_t n = n0; n < n1; n += NR) {
      const int nr = (int)min64(NR, n1 - n);
      weight_panel(w + n * rb, rb, nr, k0, kc, K, tmp, wp);
      for (int64_t p = 0; p < panels; p++)
        micro(xp + p * MR * kc, wp, kc, out + (m0 + p * MR) * N + n, N, (int)min64(MR, rows - p * MR), nr,
              k0 == 0);
    }
  }
}

${
  integer
    ? `/* Quantized rows [m0, m1) (in xs, XS bytes apart) times weight rows [n0, n1): one row takes
   four weight rows at a time; more share each weight row's decoding, four rows at a time. */
static void integer_unit(const char *xs, int64_t XS, const uint8_t *restrict w, float *restrict out, int64_t m0,
                         int64_t m1, int64_t n0, int64_t n1, int64_t N, int64_t K, int64_t rb) {
  const int64_t rows = m1 - m0;
  if (rows == 1) {
    int64_t n = n0;
    for (; n + 4 <= n1; n += 4) dot_cols_q8(w + n * rb, rb, xs, K, out + m0 * N + n);
    for (; n < n1; n++) dot_rows_q8(1, w + n * rb, xs, XS, K, out + m0 * N + n, N);
    return;
  }
  for (int64_t n = n0; n < n1; n++) {
    const uint8_t *wn = w + n * rb;
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) dot_rows_q8(4, wn, xs + r * XS, XS, K, out + (m0 + r) * N + n, N);
    switch (rows - r) {
      case 1: dot_rows_q8(1, wn, xs + r * XS, XS, K, out + (m0 + r) * N + n, N); break;
      case 2: dot_rows_q8(2, wn, xs + r * XS, XS, K, out + (m0 + r) * N + n, N); break;
      case 3: dot_rows_q8(3, wn, xs + r * XS, XS, K, out + (m0 + r) * N + n, N); break;
      default: break;
    }
  }
}
`
    : ""
}
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const float *const x = (const float *)(arena + p[${P.X}]);
  const uint8_t *const w = (const uint8_t *)(arena + p[${P.W}]);
  float *const out = (float *)(arena + p[${P.OUT}]);
  const int64_t M = p[${P.M}], N = p[${P.N}], K = p[${P.K}], rb = p[${P.ROW_BYTES}];
  const int64_t MU = p[${P.MU}], NU = p[${P.NU}], cols = p[${P.COL_UNITS}];
  /* x's rows as the products read them are prepared once per unit of rows: consecutive units
     of a task that share their rows share them. */
  int64_t ready = -1;
  const float *xu = x;
${integer ? "  const int64_t XS = xrow_bytes(K);\n  char *xs = 0;" : ""}
  for (int64_t u = begin; u < end; u++) {
    const int64_t m0 = (u / cols) * MU, m1 = min64(M, m0 + MU);
    const int64_t n0 = (u % cols) * NU, n1 = min64(N, n0 + NU);
${
  integer
    ? `    if (m0 != ready && M <= ${STREAM_ROWS}) {
      xs = (char *)workspace(1, (m1 - m0) * XS);
      for (int64_t r = m0; r < m1; r++) quantize_row(x + r * K, K, xs + (r - m0) * XS);
      ready = m0;
    } else if (m0 != ready) {
      float *xr = (float *)workspace(1, 4 * (m1 - m0) * K);
      for (int64_t r = m0; r < m1; r++) round_row(x + r * K, K, xr + (r - m0) * K);
      xu = xr;
      ready = m0;
    }
    if (M <= ${STREAM_ROWS}) integer_unit(xs, XS, w, out, m0, m1, n0, n1, N, K, rb);
    else float_unit(xu, w, out, M, m0, m1, n0, n1, N, K, rb);`
    : rounding
      ? `    if (m0 != ready) {
      float *xr = (float *)workspace(1, 4 * (m1 - m0) * K);
      for (int64_t i = 0; i < (m1 - m0) * K; i++) xr[i] = ${rounding}(x[m0 * K + i]);
      xu = xr;
      ready = m0;
    }
    float_unit(xu, w, out, M, m0, m1, n0, n1, N, K, rb);`
      : `    (void)ready;
    float_unit(xu + m0 * K, w, out, M, m0, m1, n0, n1, N, K, rb);`
}
  }
}
`;
}

/** The dequantize kernel for rows of `type`: tile units of `per` rows. */
export function dequantizeSource(type: QuantType): string {
  return `${PRELUDE}${decoders(type)}
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const uint8_t *const w = (const uint8_t *)(arena + p[1]);
  float *const out = (float *)(arena + p[2]);
  const int64_t rows = p[3], K = p[4], rb = p[5], per = p[6];
  for (int64_t u = begin; u < end; u++) {
    const int64_t r0 = u * per, r1 = min64(rows, r0 + per);
    for (int64_t r = r0; r < r1; r++) decode_rows(w + r * rb, rb, 1, 0, K, K, out + r * K);
  }
}
`;
}
