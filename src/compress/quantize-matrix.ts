// One weight matrix [rows = outputs, cols = inputs] to packed blocks of an integer grid,
// either rounding each weight to its nearest code, or with GPTQ's error compensation
// (Frantar et al., 2022): the columns are quantized in order and each one's rounding error
// is spread over the columns not yet quantized, in the proportions the inputs' second
// moment H = E[x xᵀ] says make the layer's output change least (the rows of the upper
// Cholesky factor of H⁻¹).
import { codeOf, GROUP, type IntegerGrid } from "./integer-grids.js";
import { chooseScale, type ScaleOptions } from "./scale-search.js";

export type Granularity = "block" | "channel";

export interface MatrixQuantizeOptions {
  grid: IntegerGrid;
  /** "block": a scale per 32 weights of a row; "channel": one scale per row (output channel). */
  granularity: Granularity;
  scales: ScaleOptions;
  /** E[x xᵀ] of the layer's inputs, [cols, cols]: its diagonal weighs the mse scale search; GPTQ uses all of it. */
  inputMoment?: Float64Array;
  /** Compensate each rounding error on the later columns (needs inputMoment). */
  gptq?: boolean;
  /** GPTQ's damping: this fraction of H's mean diagonal is added to the diagonal (default 0.01). */
  damp?: number;
}

export interface QuantizedMatrix {
  /** [rows, rowBytes] of ggml blocks of the grid's type. */
  packed: Uint8Array;
  rowBytes: number;
  /** What the blocks decode to, [rows, cols]. */
  values: Float32Array;
}

export function quantizeMatrix(
  weights: Float32Array,
  rows: number,
  cols: number,
  options: MatrixQuantizeOptions,
): QuantizedMatrix {
  const { grid, granularity, inputMoment } = options;
  if (cols % GROUP !== 0)
    throw new Error(`quantize: rows of ${cols} weights are not whole blocks of ${GROUP}`);
  if (weights.length !== rows * cols)
    throw new Error(`quantize: ${weights.length} weights for ${rows} × ${cols}`);
  if (options.gptq && !inputMoment) throw new Error("quantize: GPTQ needs the inputs' second moment");
  const importance = inputMoment
    ? Float64Array.from({ length: cols }, (_, i) => inputMoment[i * cols + i]!)
    : undefined;
  const blocks = cols / GROUP;
  const scales = new Float64Array(rows * blocks);
  const codes = new Int8Array(rows * cols);
  const w = Float64Array.from(weights);
  const chooseBlock = (r: number, b: number) => {
    scales[r * blocks + b] = chooseScale(
      grid,
      w,
      r * cols + b * GROUP,
      GROUP,
      options.scales,
      importance,
      b * GROUP,
    );
  };
  if (granularity === "channel") {
    for (let r = 0; r < rows; r++) {
      const d = chooseScale(grid, w, r * cols, cols, options.scales, importance, 0);
      scales.fill(d, r * blocks, (r + 1) * blocks);
    }
  }
  if (options.gptq) {
    const u = inverseCholeskyUpper(inputMoment!, cols, options.damp ?? 0.01, w, rows);
    for (let j = 0; j < cols; j++) {
      const b = Math.floor(j / GROUP);
      // A block's scale is chosen when its first column comes up, from the weights as the
      // earlier columns' errors have left them.
      if (granularity === "block" && j % GROUP === 0) for (let r = 0; r < rows; r++) chooseBlock(r, b);
      const ujj = u[j * cols + j]!;
      for (let r = 0; r < rows; r++) {
        const at = r * cols;
        const d = scales[r * blocks + b]!;
        const q = codeOf(grid, w[at + j]!, d);
        codes[at + j] = q;
        const error = (w[at + j]! - q * d) / ujj;
        for (let k = j + 1; k < cols; k++) w[at + k]! -= error * u[j * cols + k]!;
      }
    }
  } else {
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b < blocks; b++) {
        if (granularity === "block") chooseBlock(r, b);
        const d = scales[r * blocks + b]!;
        for (let j = b * GROUP; j < (b + 1) * GROUP; j++)
          codes[r * cols + j] = codeOf(grid, w[r * cols + j]!, d);
      }
    }
  }
  const rowBytes = blocks * grid.blockBytes;
  const packed = new Uint8Array(rows * rowBytes);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const d = scales[r * blocks + b]!;
      grid.writeBlock(packed, r * rowBytes + b * grid.blockBytes, d, codes, r * cols + b * GROUP);
      for (let j = b * GROUP; j < (b + 1) * GROUP; j++)
        values[r * cols + j] = Math.fround(codes[r * cols + j]! * d);
    }
  }
  return { packed, rowBytes, values };
}

/**
 * U with H⁻¹ = UᵀU, upper triangular, for H + damping. Columns no input ever reached (a
 * zero diagonal) are set to one on the diagonal and their weights to zero: nothing can
 * tell what they should be. More damping is tried if H is still not positive definite.
 */
function inverseCholeskyUpper(
  moment: Float64Array,
  n: number,
  damp: number,
  w: Float64Array,
  rows: number,
): Float64Array {
  const h = Float64Array.from(moment);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += h[i * n + i]! / n;
  for (let i = 0; i < n; i++) {
    if (h[i * n + i] === 0) {
      h[i * n + i] = 1;
      for (let r = 0; r < rows; r++) w[r * n + i] = 0;
    }
  }
  for (let attempt = 0, lambda = damp * (mean || 1); attempt < 8; attempt++, lambda *= 10) {
    const a = Float64Array.from(h);
    for (let i = 0; i < n; i++) a[i * n + i]! += lambda;
    if (!choleskyInPlace(a, n)) continue;
    const inverse = lowerInverseGram(a, n);
    if (!choleskyInPlace(inverse, n)) continue;
    // The lower factor L of H⁻¹ = LLᵀ, transposed.
    const u = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) u[j * n + i] = inverse[i * n + j]!;
    return u;
  }
  throw new Error("GPTQ: the inputs' second moment is not positive definite even with damping");
}

/** a (symmetric, row-major) → its lower Cholesky factor in place (upper part left as is); false if not positive definite. */
function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j]!;
    for (let k = 0; k < j; k++) diagonal -= a[j * n + k]! ** 2;
    if (!(diagonal > 0)) return false;
    const l = Math.sqrt(diagonal);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
  }
  return true;
}

/** For the lower factor L in l (lower part), (LLᵀ)⁻¹ = L⁻ᵀL⁻¹, full and symmetric. */
function lowerInverseGram(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k]! * inv[k * n + j]!;
      inv[i * n + j] = s / l[i * n + i]!;
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += inv[k * n + i]! * inv[k * n + j]!;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}
