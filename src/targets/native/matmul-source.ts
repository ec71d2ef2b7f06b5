import { kernelSignature } from "./native-kernel.js";

/**
 * The C of the native matmul: one generic kernel for every float32 matmul, its sizes,
 * strides and batch offsets read from parameters (render-matmul.ts lays them out).
 *
 * A tile unit is a block of MU rows × NU columns of one batch's C. For each block of KC
 * along K, the unit packs its KC×NU slice of B into NR-column panels and, row panel by
 * row panel, MR rows of A; a register-blocked micro-kernel (MR×NR accumulators in vector
 * registers, one broadcast of A per row per k) runs over each panel pair. A row panel of
 * A stays in L1 while the unit's packed B streams from L2. Products accumulate by fused
 * multiply-add (compiled with contraction on).
 *
 * Edges are zero-padded in the packed panels and go through the same micro-kernel, and a
 * block along K continues from the C tile the previous block stored, so every element of
 * C is one chain acc = fma(a[k], b[k], acc) over k = 0…K−1 from 0: the result does not
 * depend on MU, NU, KC or the thread count.
 *
 * With few rows (M ≤ SMALL_M: token-by-token generation) packing would copy all of B for
 * one use; instead a unit is a column block, and each row of B streams once through
 * accumulators in L1 (prefetched ahead), at memory speed.
 */
export interface MatmulShapeConfig {
  /** Rows of the register block. */
  readonly mr: number;
  /** Columns of the register block: a multiple of the vector width. */
  readonly nr: number;
  /** float32 lanes per vector register. */
  readonly lanes: number;
}

/** Rows up to which a matmul streams B instead of packing it. */
export const SMALL_M = 4;
/** The widest column block of the streaming path (its accumulators live on the stack). */
export const SMALL_M_MAX_COLUMNS = 2048;

/** Parameter slots of the matmul kernel, after p[0] (the arena). */
export const MatmulParam = {
  A: 1,
  B: 2,
  C: 3,
  M: 4,
  N: 5,
  K: 6,
  SAM: 7,
  SAK: 8,
  SBK: 9,
  MU: 10,
  NU: 11,
  KC: 12,
  ROW_UNITS: 13,
  COL_UNITS: 14,
  /** Then, per batch, the element offsets of A and B. */
  TABLE: 15,
} as const;

export function matmulSource({ mr, nr, lanes }: MatmulShapeConfig): string {
  if (nr % lanes !== 0) throw new Error(`internal: matmul NR ${nr} is not a multiple of ${lanes} lanes`);
  const P = MatmulParam;
  return `#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MR ${mr}
#define NR ${nr}
#define VL ${lanes}
#define NV (NR / VL)
#define SMALL_M ${SMALL_M}
#define SMALL_M_MAX_COLUMNS ${SMALL_M_MAX_COLUMNS}

typedef float vf __attribute__((vector_size(VL * 4)));
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Packing buffers, one per thread, grown as needed and kept. */
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

/* kc×cols of B (rows sbk apart, columns contiguous) into NR-wide panels, zero-padded. */
static void pack_b(const float *b, int64_t sbk, int64_t kc, int64_t cols, float *restrict out) {
  for (int64_t jp = 0; jp < cols; jp += NR) {
    const int64_t nr = min64(NR, cols - jp);
    float *restrict dst = out + jp * kc;
    for (int64_t k = 0; k < kc; k++) {
      const float *src = b + k * sbk + jp;
      if (nr == NR) {
        memcpy(dst + k * NR, src, NR * 4);
      } else {
        for (int64_t c = 0; c < nr; c++) dst[k * NR + c] = src[c];
        for (int64_t c = nr; c < NR; c++) dst[k * NR + c] = 0.0f;
      }
    }
  }
}

/* rows×kc of A (any strides) into one MR-tall panel, k-major, zero-padded. */
static void pack_a(const float *a, int64_t sam, int64_t sak, int64_t rows, int64_t kc, float *restrict out) {
  if (sak == 1) {
    for (int64_t r = 0; r < rows; r++) {
      const float *src = a + r * sam;
      for (int64_t k = 0; k < kc; k++) out[k * MR + r] = src[k];
    }
  } else {
    for (int64_t k = 0; k < kc; k++) {
      const float *src = a + k * sak;
      for (int64_t r = 0; r < rows; r++) out[k * MR + r] = src[r * sam];
    }
  }
  for (int64_t r = rows; r < MR; r++)
    for (int64_t k = 0; k < kc; k++) out[k * MR + r] = 0.0f;
}

/* C[0:rows, 0:cols] (ldc apart) = (first ? 0 : C) + A panel · B panel over kc. */
static inline void micro(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                         int64_t ldc, int first, int64_t rows, int64_t cols) {
  vf acc[MR][NV];
  const int full = rows == MR && cols == NR;
  float tile[MR * NR] __attribute__((aligned(64)));
  if (first) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = (vf){0};
  } else if (full) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = *(const vfu *)(c + r * ldc + v * VL);
  } else {
    for (int r = 0; r < MR; r++)
      for (int q = 0; q < NR; q++) tile[r * NR + q] = r < rows && q < cols ? c[r * ldc + q] : 0.0f;
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = *(const vf *)(tile + r * NR + v * VL);
  }
  for (int64_t k = 0; k < kc; k++) {
    vf bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) bv[v] = *(const vf *)(b + k * NR + v * VL);
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++) {
      const float ar = a[k * MR + r];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] += bv[v] * ar;
    }
  }
  if (full) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) *(vfu *)(c + r * ldc + v * VL) = acc[r][v];
  } else {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) *(vf *)(tile + r * NR + v * VL) = acc[r][v];
    for (int64_t r = 0; r < rows; r++)
      for (int64_t q = 0; q < cols; q++) c[r * ldc + q] = tile[r * NR + q];
  }
}

/* Few rows: every row of B streams once through accumulators for up to SMALL_M rows. */
static void small_m(const float *a, int64_t sam, int64_t sak, const float *b, int64_t sbk, float *c,
                    int64_t ldc, int64_t m, int64_t k_total, int64_t cols) {
  float acc[SMALL_M][SMALL_M_MAX_COLUMNS] __attribute__((aligned(64)));
  for (int64_t r = 0; r < m; r++)
    for (int64_t q = 0; q < cols; q++) acc[r][q] = 0.0f;
  for (int64_t k = 0; k < k_total; k++) {
    const float *restrict row = b + k * sbk;
    if (k + 8 < k_total)
      for (int64_t q = 0; q < cols; q += 16) __builtin_prefetch(row + 8 * sbk + q);
    for (int64_t r = 0; r < m; r++) {
      const float ar = a[r * sam + k * sak];
      float *restrict out = acc[r];
#pragma GCC ivdep
      for (int64_t q = 0; q < cols; q++) out[q] += ar * row[q];
    }
  }
  for (int64_t r = 0; r < m; r++) memcpy(c + r * ldc, acc[r], (size_t)cols * 4);
}

${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  const float *const a_base = (const float *)(arena + p[${P.A}]);
  const float *const b_base = (const float *)(arena + p[${P.B}]);
  float *const c_base = (float *)(arena + p[${P.C}]);
  const int64_t M = p[${P.M}], N = p[${P.N}], K = p[${P.K}];
  const int64_t sam = p[${P.SAM}], sak = p[${P.SAK}], sbk = p[${P.SBK}];
  const int64_t MU = p[${P.MU}], NU = p[${P.NU}], KC = p[${P.KC}];
  const int64_t row_units = p[${P.ROW_UNITS}], col_units = p[${P.COL_UNITS}];
  const int64_t *const table = p + ${P.TABLE};
  float *const bp = M <= SMALL_M ? 0 : workspace(KC * NU + MR * KC);
  float *const ap = bp + KC * NU;
  for (int64_t u = begin; u < end; u++) {
    const int64_t t = u / (row_units * col_units);
    const int64_t rest = u - t * row_units * col_units;
    const int64_t i0 = (rest / col_units) * MU, j0 = (rest % col_units) * NU;
    const int64_t mu = min64(MU, M - i0), nu = min64(NU, N - j0);
    const float *const A = a_base + table[2 * t] + i0 * sam;
    const float *const B = b_base + table[2 * t + 1] + j0;
    float *const C = c_base + t * M * N + i0 * N + j0;
    if (M <= SMALL_M) {
      small_m(A, sam, sak, B, sbk, C, N, mu, K, nu);
      continue;
    }
    if (K == 0) {
      for (int64_t r = 0; r < mu; r++) memset(C + r * N, 0, (size_t)nu * 4);
      continue;
    }
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = min64(KC, K - pc);
      pack_b(B + pc * sbk, sbk, kc, nu, bp);
      for (int64_t ir = 0; ir < mu; ir += MR) {
        const int64_t rows = min64(MR, mu - ir);
        pack_a(A + ir * sam + pc * sak, sam, sak, rows, kc, ap);
        for (int64_t jr = 0; jr < nu; jr += NR)
          micro(kc, ap, bp + jr * kc, C + ir * N + jr, N, pc == 0, rows, min64(NR, nu - jr));
      }
    }
  }
}
`;
}
