import { kernelSignature } from "./native-kernel.js";

/**
 * The C of the native matmul: one kernel for every float32 matmul with the same register
 * block and epilogue, its sizes, strides and batch offsets read from parameters
 * (render-matmul.ts lays them out).
 *
 * A tile unit is a block of MU rows × NU columns of one batch's C. For each block of KC
 * along K, the unit packs its MU rows of A into MR-row panels (kept in L2 across all its
 * columns), and takes B as NR-column panels: packed for the whole product by the
 * compiler's pack kernel (FuseOptions.packPanel), or packed here for this unit when the
 * compiler did not (few rows). A register-blocked micro-kernel (MR×NR accumulators in
 * vector registers, one broadcast of A per row per k) sweeps every row panel against a
 * B panel while that panel stays in L1. Products accumulate by fused multiply-add.
 *
 * Edges are zero-padded in the panels and go through the same micro-kernel, and a block
 * along K continues from the C tile the previous block stored, so every element of C is
 * one chain acc = fma(a[k], b[k], acc) over k = 0…K−1 from 0: the result does not
 * depend on MU, NU, KC or the thread count.
 *
 * With few rows (M ≤ SMALL_M: token-by-token generation) packing would copy all of B for
 * one use; instead a unit is a column block, and each row of B streams once through
 * accumulators in L1 (prefetched ahead), at memory speed.
 *
 * A fused epilogue (bias, activation, residual) is applied to a unit's products once its
 * last K block is done: in place over the unit's rows of C when the output is float32
 * (long rows, vectorised), else to each tile, from registers through a small buffer.
 */
export interface MatmulShapeConfig {
  /** Rows of the register block. */
  readonly mr: number;
  /** Columns of the register block: a multiple of the vector width. */
  readonly nr: number;
  /** float32 lanes per vector register. */
  readonly lanes: number;
}

/**
 * Rows up to which a matmul streams B instead of packing it: decoding a batch of
 * sequences (continuous batching) gives one row per sequence.
 */
export const SMALL_M = 16;
/** The widest column block of the streaming path. */
export const SMALL_M_MAX_COLUMNS = 4096;
/** Accumulators of the streaming path (on the stack): rows × columns of one unit. */
export const SMALL_M_ACCUMULATORS = 16384;

/** The widest column block the streaming path takes for M rows. */
export function smallMColumns(m: number): number {
  return Math.min(SMALL_M_MAX_COLUMNS, Math.floor(SMALL_M_ACCUMULATORS / m / 16) * 16);
}

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
  /** 1 when B comes packed in NR-column panels ([...batch, ⌈N/NR⌉, K, NR]), else 0. */
  PACKED: 15,
  /** Index in p of the batch table: per batch, the element offsets of A and B. */
  TABLE_AT: 16,
  /** The epilogue's parameters, if any, start here (the table follows them). */
  FIRST_FREE: 17,
} as const;

/** An epilogue rendered by render-matmul.ts: a C function body and its output type. */
export interface MatmulEpilogueSource {
  /** Declarations at the top of `epilogue` (leaf buffers, strides), reading `p` and `arena`. */
  readonly declarations: readonly string[];
  /** Statements placing the leaves for row `i` (int64), before the loop over columns. */
  readonly placeRow: readonly string[];
  /** The value stored at column `j` (int64) from the product `x`. */
  readonly value: string;
  /** C type of the output elements. */
  readonly outType: string;
  /** The prelude's helpers the value uses. */
  readonly prelude: string;
}

export function matmulSource({ mr, nr, lanes }: MatmulShapeConfig, epilogue?: MatmulEpilogueSource): string {
  if (nr % lanes !== 0) throw new Error(`internal: matmul NR ${nr} is not a multiple of ${lanes} lanes`);
  const P = MatmulParam;
  const epilogueFunction = epilogue
    ? `
/* out[i0 + r, j0 + q] = epilogue(tile[r, q]) for r < rows, q < cols. The tile may be the
   output itself (the products stored in place): each element is read before it is written. */
static void epilogue(const int64_t *restrict p, const float *tile, int64_t ldt, int64_t i0, int64_t j0,
                     int64_t rows, int64_t cols) {
  char *const arena = (char *)(intptr_t)p[0];
  const int64_t N = p[${P.N}];
  ${epilogue.outType} *const ob = (${epilogue.outType} *)(arena + p[${P.C}]);
${epilogue.declarations.map((l) => `  ${l}`).join("\n")}
  for (int64_t r = 0; r < rows; r++) {
    const int64_t i = i0 + r;
    const float *t = tile + r * ldt - j0;
    ${epilogue.outType} *o = ob + i * N;
${epilogue.placeRow.map((l) => `    ${l}`).join("\n")}
#pragma GCC ivdep
    for (int64_t j = j0; j < j0 + cols; j++) {
      const float x = t[j];
      o[j] = ${epilogue.value};
    }
  }
}
`
    : "";
  return `${epilogue ? epilogue.prelude : "#include <stdint.h>\n#include <string.h>\n"}
#include <stdlib.h>

#define MR ${mr}
#define NR ${nr}
#define VL ${lanes}
#define NV (NR / VL)
#define SMALL_M ${SMALL_M}
#define SMALL_M_ACCUMULATORS ${SMALL_M_ACCUMULATORS}
#define HAS_EPILOGUE ${epilogue ? 1 : 0}
/* A float32 epilogue runs over a whole unit's products, stored in C first: long rows the
   compiler vectorises, instead of one MR×NR tile at a time. */
#define EPILOGUE_IN_PLACE ${epilogue?.outType === "float" ? 1 : 0}

/* The products accumulate by fused multiply-add; everything else (the epilogue) rounds
   each operation, as the elementwise kernels do. */
#if defined(__clang__)
#define FMA_FUNCTION
#define FMA_BODY _Pragma("clang fp contract(fast)")
#else
#define FMA_FUNCTION __attribute__((optimize("fp-contract=fast")))
#define FMA_BODY
#endif

typedef float vf __attribute__((vector_size(VL * 4)));
/* For memory that is not aligned to a vector (the arena aligns buffers to 16 bytes). */
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4)));

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
${epilogueFunction}
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

/* rows×kc of A (any strides) into MR-tall panels, each k-major, zero-padded. */
static void pack_a(const float *a, int64_t sam, int64_t sak, int64_t rows, int64_t kc, float *restrict out) {
  for (int64_t ip = 0; ip < rows; ip += MR) {
    const int64_t mr = min64(MR, rows - ip);
    float *restrict dst = out + ip * kc;
    const float *src = a + ip * sam;
    if (mr == MR && sak == 1) {
      for (int64_t k = 0; k < kc; k++)
#pragma GCC unroll 16
        for (int r = 0; r < MR; r++) dst[k * MR + r] = src[r * sam + k];
    } else {
      for (int64_t k = 0; k < kc; k++)
        for (int64_t r = 0; r < MR; r++) dst[k * MR + r] = r < mr ? src[r * sam + k * sak] : 0.0f;
    }
  }
}

/*
 * The rows×cols tile of C at c (rows ldc apart) = (first ? 0 : C) + A panel · B panel over
 * kc; stored in C, or (tile != 0) whole into the MR×NR buffer \`tile\` for the epilogue.
 */
FMA_FUNCTION static void micro(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                               int64_t ldc, int first, int64_t rows, int64_t cols, float *restrict tile) {
  FMA_BODY
  vf acc[MR][NV];
  const int full = rows == MR && cols == NR;
  float edge[MR * NR] __attribute__((aligned(64)));
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
      for (int q = 0; q < NR; q++) edge[r * NR + q] = r < rows && q < cols ? c[r * ldc + q] : 0.0f;
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = *(const vf *)(edge + r * NR + v * VL);
  }
  for (int64_t k = 0; k < kc; k++) {
    vf bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) bv[v] = *(const vfu *)(b + k * NR + v * VL);
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++) {
      const float ar = a[k * MR + r];
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] += bv[v] * ar;
    }
  }
  if (tile) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) *(vf *)(tile + r * NR + v * VL) = acc[r][v];
  } else if (full) {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) *(vfu *)(c + r * ldc + v * VL) = acc[r][v];
  } else {
#pragma GCC unroll 32
    for (int r = 0; r < MR; r++)
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) *(vf *)(edge + r * NR + v * VL) = acc[r][v];
    for (int64_t r = 0; r < rows; r++)
      for (int64_t q = 0; q < cols; q++) c[r * ldc + q] = edge[r * NR + q];
  }
}

/*
 * Few rows: every row of B streams once through accumulators for up to SMALL_M rows, eight
 * rows of B at a time (eight sequential streams keep the memory busy), four rows of A at a
 * time; each accumulator still adds its products in the order of k.
 */
FMA_FUNCTION static void small_m(const int64_t *restrict p, const float *a, int64_t sam, int64_t sak, const float *b,
                                 int64_t sbk, float *c, int64_t ldc, int64_t m, int64_t k_total, int64_t i0,
                                 int64_t j0, int64_t cols) {
  FMA_BODY
  /* Row r of the accumulators is acc + r * cols (m * cols <= SMALL_M_ACCUMULATORS). */
  float acc[SMALL_M_ACCUMULATORS] __attribute__((aligned(64)));
  for (int64_t q = 0; q < m * cols; q++) acc[q] = 0.0f;
  int64_t k = 0;
  for (; k + 8 <= k_total; k += 8) {
    const float *restrict row = b + k * sbk;
    int64_t r = 0;
    /* Four rows at a time: each vector of B is loaded once for four accumulators. */
    for (; r + 4 <= m; r += 4) {
      float a0[8], a1[8], a2[8], a3[8];
      for (int u = 0; u < 8; u++) {
        a0[u] = a[r * sam + (k + u) * sak];
        a1[u] = a[(r + 1) * sam + (k + u) * sak];
        a2[u] = a[(r + 2) * sam + (k + u) * sak];
        a3[u] = a[(r + 3) * sam + (k + u) * sak];
      }
      float *restrict o0 = acc + r * cols;
      float *restrict o1 = o0 + cols;
      float *restrict o2 = o1 + cols;
      float *restrict o3 = o2 + cols;
#pragma GCC ivdep
      for (int64_t q = 0; q < cols; q++) {
        float x0 = o0[q], x1 = o1[q], x2 = o2[q], x3 = o3[q];
#pragma GCC unroll 8
        for (int u = 0; u < 8; u++) {
          const float bv = row[u * sbk + q];
          x0 += a0[u] * bv;
          x1 += a1[u] * bv;
          x2 += a2[u] * bv;
          x3 += a3[u] * bv;
        }
        o0[q] = x0;
        o1[q] = x1;
        o2[q] = x2;
        o3[q] = x3;
      }
    }
    for (; r < m; r++) {
      float ar[8];
      for (int u = 0; u < 8; u++) ar[u] = a[r * sam + (k + u) * sak];
      float *restrict out = acc + r * cols;
#pragma GCC ivdep
      for (int64_t q = 0; q < cols; q++) {
        float x = out[q];
#pragma GCC unroll 8
        for (int u = 0; u < 8; u++) x += ar[u] * row[u * sbk + q];
        out[q] = x;
      }
    }
  }
  for (; k < k_total; k++) {
    const float *restrict row = b + k * sbk;
    for (int64_t r = 0; r < m; r++) {
      const float ar = a[r * sam + k * sak];
      float *restrict out = acc + r * cols;
#pragma GCC ivdep
      for (int64_t q = 0; q < cols; q++) out[q] += ar * row[q];
    }
  }
#if HAS_EPILOGUE
  epilogue(p, acc, cols, i0, j0, m, cols);
  (void)c;
  (void)ldc;
#else
  for (int64_t r = 0; r < m; r++) memcpy(c + r * ldc, acc + r * cols, (size_t)cols * 4);
  (void)p;
  (void)i0;
  (void)j0;
#endif
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
  const int packed = p[${P.PACKED}] != 0;
  const int64_t *const table = p + p[${P.TABLE_AT}];
  const int streaming = M <= SMALL_M && !packed;
  float *const ap = streaming ? 0 : workspace(MU * KC + (packed ? 0 : KC * NU));
  float *const bp = streaming || packed ? 0 : ap + MU * KC;
  float tile[MR * NR] __attribute__((aligned(64)));
  for (int64_t u = begin; u < end; u++) {
    const int64_t t = u / (row_units * col_units);
    const int64_t rest = u - t * row_units * col_units;
    const int64_t i0 = (rest / col_units) * MU, j0 = (rest % col_units) * NU;
    const int64_t mu = min64(MU, M - i0), nu = min64(NU, N - j0);
    const float *const A = a_base + table[2 * t] + i0 * sam;
    const float *const B = b_base + table[2 * t + 1];
    float *const C = c_base + t * M * N + i0 * N + j0;
    if (streaming) {
      small_m(p, A, sam, sak, B + j0, sbk, C, N, mu, K, i0, j0, nu);
      continue;
    }
    if (K == 0) {
#if HAS_EPILOGUE
      for (int64_t q = 0; q < MR * NR; q++) tile[q] = 0.0f;
      for (int64_t ir = 0; ir < mu; ir += MR)
        for (int64_t jr = 0; jr < nu; jr += NR)
          epilogue(p, tile, NR, i0 + ir, j0 + jr, min64(MR, mu - ir), min64(NR, nu - jr));
#else
      for (int64_t r = 0; r < mu; r++) memset(C + r * N, 0, (size_t)nu * 4);
#endif
      continue;
    }
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = min64(KC, K - pc);
      const int last = pc + kc == K;
      if (!packed) pack_b(B + j0 + pc * sbk, sbk, kc, nu, bp);
      pack_a(A + pc * sak, sam, sak, mu, kc, ap);
      for (int64_t jr = 0; jr < nu; jr += NR) {
        const float *const panel = packed ? B + ((j0 + jr) / NR) * K * NR + pc * NR : bp + jr * kc;
        const int64_t cols = min64(NR, nu - jr);
        for (int64_t ir = 0; ir < mu; ir += MR) {
          const int64_t rows = min64(MR, mu - ir);
          float *const c = C + ir * N + jr;
          const int to_tile = HAS_EPILOGUE && !EPILOGUE_IN_PLACE && last;
          micro(kc, ap + ir * kc, panel, c, N, pc == 0, rows, cols, to_tile ? tile : 0);
#if HAS_EPILOGUE
          if (to_tile) epilogue(p, tile, NR, i0 + ir, j0 + jr, rows, cols);
#endif
        }
      }
    }
#if HAS_EPILOGUE && EPILOGUE_IN_PLACE
    epilogue(p, C, N, i0, j0, mu, nu);
#endif
  }
}
`;
}
