import fc from "fast-check";
import { codecOf, QUANT_TYPES, quantize } from "../../src/quant/index.js";
import { bool, f32, i32, u8, type Value } from "../helpers/values.js";

/**
 * Test cases for every built-in instruction, keyed by name. `registry.test.ts` fails if a
 * registered instruction has no entry here, so an untested instruction cannot land.
 *
 * - `examples`: hand-computed cases (the comment or the numbers say how), including
 *   broadcasting and edge shapes (scalars, size-0 and size-1 axes). An example states
 *   the expected value, checks properties (random instructions) or the error it raises.
 * - `random`: inputs for random shapes (from fast-check) used by the target differential
 *   tests and, for differentiable instructions, the finite-difference gradient check.
 *   Values avoid points where the function is not differentiable.
 */
export interface Sample {
  inputs: Value[];
  attrs?: object;
}

/**
 * A hand-computed example states its outcome: the expected value, a check of the output
 * (or both), or the error the computation must fail with. One stating none is a type
 * error here, and reference.test.ts fails on it too.
 */
export type Example = Sample &
  (
    | { expected: Value; check?: (out: Value) => void; throws?: undefined }
    | { expected?: Value; check: (out: Value) => void; throws?: undefined }
    | {
        expected?: undefined;
        check?: undefined /** The computation must fail with this message. */;
        throws: RegExp;
      }
  );

export interface InstructionCase {
  examples: Example[];
  random?: (dims: number[], rnd: () => number) => Sample;
  /** Smallest rank the random sample needs (default 0). */
  minRank?: number;
  /**
   * The sample whose finite differences the VJP matches, where that is not the sample
   * itself (a rounding whose gradient the VJP passes straight through).
   */
  gradientSample?: (sample: Sample) => Sample;
}

/** fast-check's part: a shape of rank 0–3 with sizes 1–4, and a seed for the values. */
export function sampleArbitrary(minRank = 0) {
  return fc.record({
    dims: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: minRank, maxLength: 3 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const floats = (rnd: () => number, dims: readonly number[], lo = -2, hi = 2) =>
  f32(
    Array.from({ length: size(dims) }, () => lo + (hi - lo) * rnd()),
    dims,
  );
/** Magnitudes in [lo, hi] with random signs: away from zero. */
const awayFromZero = (rnd: () => number, dims: readonly number[], lo = 0.2, hi = 2) =>
  f32(
    Array.from({ length: size(dims) }, () => (rnd() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rnd())),
    dims,
  );
const ints = (rnd: () => number, dims: readonly number[], lo: number, hi: number) =>
  i32(
    Array.from({ length: size(dims) }, () => lo + Math.floor(rnd() * (hi - lo))),
    dims,
  );
/** A shape that broadcasts to dims: some axes set to 1, maybe leading axes dropped. */
const broadcastable = (rnd: () => number, dims: readonly number[]) =>
  dims
    .map((d) => (rnd() < 0.3 ? 1 : d))
    .slice(Math.floor(rnd() * (dims.length + 1)) === 0 ? 0 : rnd() < 0.3 ? 1 : 0);
const randomAxes = (rnd: () => number, rank: number) => [...Array(rank).keys()].filter(() => rnd() < 0.5);
const randomAxis = (rnd: () => number, rank: number) => Math.floor(rnd() * rank);

const zeros = (n: number) => Array<number>(n).fill(0);
/** Random weights [rows, columns] quantized to `type`: a uint8 [rows, rowBytes] value. */
const packed = (rnd: () => number, type: (typeof QUANT_TYPES)[number], rows: number, columns: number) => {
  const values = Float32Array.from({ length: rows * columns }, () => rnd() * 2 - 1);
  const bytes = quantize(type, values, columns);
  return u8(bytes, [rows, bytes.length / rows]);
};
const unary =
  (lo = -2, hi = 2) =>
  (dims: number[], rnd: () => number) => ({ inputs: [floats(rnd, dims, lo, hi)] });
const binary =
  (a: (r: () => number, d: number[]) => Value, b: (r: () => number, d: number[]) => Value) =>
  (dims: number[], rnd: () => number) => {
    const other = broadcastable(rnd, dims);
    return rnd() < 0.5
      ? { inputs: [a(rnd, dims), b(rnd, other)] }
      : { inputs: [a(rnd, other), b(rnd, dims)] };
  };
const anyF = (r: () => number, d: number[]) => floats(r, d);
const posF = (r: () => number, d: number[]) => floats(r, d, 0.5, 2);
const nonzeroF = (r: () => number, d: number[]) => awayFromZero(r, d, 0.5, 2);

/** A random integer in [lo, hi]. */
const pick = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
/** A random sliding window (kernel, stride, padding, dilation) and an image size it fits. */
function randomWindow(
  rnd: () => number,
  options: { dilation?: boolean; maxPadding?: "half"; wholeWindow?: boolean } = {},
) {
  const kernel = [pick(rnd, 1, 3), pick(rnd, 1, 3)];
  const dilation = options.dilation === false ? [1, 1] : [pick(rnd, 1, 2), pick(rnd, 1, 2)];
  const reach = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  const padding = reach.map((r) => pick(rnd, 0, options.maxPadding === "half" ? Math.floor(r / 2) : 1));
  const stride = [pick(rnd, 1, 2), pick(rnd, 1, 2)];
  // wholeWindow: the image is at least one window, so no window lies wholly in the padding
  const least = (r: number, i: number) => (options.wholeWindow ? r : Math.max(1, r - 2 * padding[i]!));
  const size = reach.map((r, i) => least(r, i) + pick(rnd, 0, 3));
  return { kernel, stride, padding, dilation, size };
}
/** Batch and channels from the fast-check dims (at least 1 each, at most 2 and 3). */
const batchAndChannels = (dims: readonly number[]) => [Math.min(dims[0] ?? 1, 2), Math.min(dims[1] ?? 1, 3)];

const E = Math.E;
const s = (x: number) => 1 / (1 + Math.exp(-x));

export const cases: Record<string, InstructionCase> = {
  // ——— unary ———
  neg: {
    examples: [
      { inputs: [f32([1, -2, 0])], expected: f32([-1, 2, -0]) },
      { inputs: [i32([3], [])], expected: i32([-3], []) },
      { inputs: [f32([], [0, 2])], expected: f32([], [0, 2]) },
    ],
    random: unary(),
  },
  recip: {
    examples: [{ inputs: [f32([2, -4, 0.5])], expected: f32([0.5, -0.25, 2]) }],
    random: unary(0.5, 2),
  },
  sqrt: {
    examples: [{ inputs: [f32([4, 9, 0, 2], [2, 2])], expected: f32([2, 3, 0, Math.SQRT2], [2, 2]) }],
    random: unary(0.5, 2),
  },
  exp: { examples: [{ inputs: [f32([0, 1, -1])], expected: f32([1, E, 1 / E]) }], random: unary() },
  log: {
    examples: [{ inputs: [f32([1, E, 0])], expected: f32([0, 1, Number.NEGATIVE_INFINITY]) }],
    random: unary(0.5, 2),
  },
  sin: {
    examples: [{ inputs: [f32([0, Math.PI / 2, -Math.PI / 6])], expected: f32([0, 1, -0.5]) }],
    random: unary(),
  },
  cos: {
    examples: [{ inputs: [f32([0, Math.PI / 3, -Math.PI])], expected: f32([1, 0.5, -1]) }],
    random: unary(),
  },
  tanh: {
    examples: [{ inputs: [f32([0, 1, -30])], expected: f32([0, 0.7615941559557649, -1]) }],
    random: unary(),
  },
  erf: {
    // erf(0.5) = 0.5204998778, erf(1) = 0.8427007929, erf(−2) = −0.9953222650 (tables)
    examples: [
      { inputs: [f32([0, 0.5, 1, -2])], expected: f32([0, 0.5204998778, 0.8427007929, -0.995322265]) },
    ],
    random: unary(),
  },
  abs: {
    examples: [
      { inputs: [f32([-1.5, 0, 2])], expected: f32([1.5, 0, 2]) },
      { inputs: [i32([-7, 7])], expected: i32([7, 7]) },
    ],
    random: (dims, rnd) => ({ inputs: [awayFromZero(rnd, dims)] }),
  },
  cast: {
    examples: [
      { inputs: [f32([1.7, -1.7, 0])], attrs: { dtype: "int32" }, expected: i32([1, -1, 0]) },
      { inputs: [i32([0, 3])], attrs: { dtype: "bool" }, expected: bool([0, 1]) },
      { inputs: [bool([1, 0])], attrs: { dtype: "float32" }, expected: f32([1, 0]) },
    ],
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims)], attrs: { dtype: "float32" } }),
  },

  // ——— binary (broadcasting) ———
  add: {
    examples: [
      // [2,1] + [3] broadcasts to [2,3]
      { inputs: [f32([1, 2], [2, 1]), f32([10, 20, 30])], expected: f32([11, 21, 31, 12, 22, 32], [2, 3]) },
      { inputs: [f32([5], []), f32([], [0])], expected: f32([], [0]) },
      { inputs: [i32([1, 2]), i32([3], [])], expected: i32([4, 5]) },
    ],
    random: binary(anyF, anyF),
  },
  sub: {
    examples: [{ inputs: [f32([5, 5], [2]), f32([1, 2], [2, 1])], expected: f32([4, 4, 3, 3], [2, 2]) }],
    random: binary(anyF, anyF),
  },
  mul: {
    examples: [{ inputs: [f32([1, 2, 3]), f32([2], [1])], expected: f32([2, 4, 6]) }],
    random: binary(anyF, anyF),
  },
  div: {
    examples: [
      { inputs: [f32([1, -3]), f32([2, 4])], expected: f32([0.5, -0.75]) },
      { inputs: [i32([7, -7]), i32([2, 2])], expected: i32([3, -3]) },
    ],
    random: binary(anyF, nonzeroF),
  },
  pow: {
    examples: [{ inputs: [f32([2, 4, 9]), f32([3, 0.5, -1])], expected: f32([8, 2, 1 / 9]) }],
    random: binary(posF, anyF),
  },
  max: {
    examples: [{ inputs: [f32([1, 5, Number.NaN]), f32([3], [])], expected: f32([3, 5, Number.NaN]) }],
    random: binary(anyF, anyF),
  },
  min: {
    examples: [{ inputs: [f32([1, 5]), f32([3], [])], expected: f32([1, 3]) }],
    random: binary(anyF, anyF),
  },

  // ——— comparison and selection ———
  cmplt: {
    examples: [{ inputs: [f32([1, 2, 3]), f32([2], [])], expected: bool([1, 0, 0]) }],
    random: (dims, rnd) => ({ inputs: [ints(rnd, dims, 0, 3), ints(rnd, broadcastable(rnd, dims), 0, 3)] }),
  },
  cmpeq: {
    examples: [{ inputs: [i32([1, 2, 3]), i32([2], [])], expected: bool([0, 1, 0]) }],
    random: (dims, rnd) => ({ inputs: [ints(rnd, dims, 0, 3), ints(rnd, dims, 0, 3)] }),
  },
  where: {
    examples: [
      { inputs: [bool([1, 0], [2, 1]), f32([1, 2]), f32([9], [])], expected: f32([1, 2, 9, 9], [2, 2]) },
    ],
    random: (dims, rnd) => ({
      inputs: [
        bool(
          Array.from({ length: size(dims) }, () => (rnd() < 0.5 ? 1 : 0)),
          dims,
        ),
        floats(rnd, broadcastable(rnd, dims)),
        floats(rnd, broadcastable(rnd, dims)),
      ],
    }),
  },

  // ——— reductions ———
  sum: {
    examples: [
      { inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])], attrs: { axes: [1] }, expected: f32([6, 15], [2]) },
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])],
        attrs: { axes: [-2], keepdims: true },
        expected: f32([5, 7, 9], [1, 3]),
      },
      { inputs: [f32([1, 2, 3, 4], [2, 2])], expected: f32([10], []) },
      { inputs: [f32([], [0, 3])], attrs: { axes: [0] }, expected: f32([0, 0, 0], [3]) },
      { inputs: [bool([1, 1, 0])], expected: i32([2], []) },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { axes: randomAxes(rnd, dims.length), keepdims: rnd() < 0.5 },
    }),
  },
  reduceMax: {
    examples: [
      { inputs: [f32([1, 7, 3, 4, 5, 6], [2, 3])], attrs: { axes: [1] }, expected: f32([7, 6], [2]) },
      { inputs: [i32([-5, -2], [2])], expected: i32([-2], []) },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { axes: randomAxes(rnd, dims.length), keepdims: rnd() < 0.5 },
    }),
  },

  // ——— movement ———
  reshape: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])],
        attrs: { shape: [3, -1] },
        expected: f32([1, 2, 3, 4, 5, 6], [3, 2]),
      },
      { inputs: [f32([7], [1, 1])], attrs: { shape: [] }, expected: f32([7], []) },
    ],
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims)], attrs: { shape: [...dims].reverse() } }),
  },
  permute: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])],
        attrs: { axes: [1, 0] },
        expected: f32([1, 4, 2, 5, 3, 6], [3, 2]),
      },
    ],
    random: (dims, rnd) => {
      const axes = [...dims.keys()].sort(() => rnd() - 0.5);
      return { inputs: [floats(rnd, dims)], attrs: { axes } };
    },
  },
  expand: {
    examples: [
      {
        inputs: [f32([1, 2], [2, 1])],
        attrs: { shape: [2, 2, 3] },
        expected: f32([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2], [2, 2, 3]),
      },
    ],
    random: (dims, rnd) => ({ inputs: [floats(rnd, broadcastable(rnd, dims))], attrs: { shape: dims } }),
  },
  slice: {
    examples: [
      // rows 0:2, columns 1:4:2 of [[0..3],[4..7],[8..11]]
      {
        inputs: [f32([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [3, 4])],
        attrs: { starts: [0, 1], ends: [2, 4], steps: [1, 2] },
        expected: f32([1, 3, 5, 7], [2, 2]),
      },
      { inputs: [f32([0, 1, 2, 3])], attrs: { starts: [-2], ends: [4] }, expected: f32([2, 3]) },
      { inputs: [f32([0, 1, 2, 3])], attrs: { starts: [2], ends: [2] }, expected: f32([], [0]) },
    ],
    random: (dims, rnd) => {
      const starts = dims.map((d) => Math.floor(rnd() * d));
      const ends = dims.map((d, i) => starts[i]! + 1 + Math.floor(rnd() * (d - starts[i]!)));
      const steps = dims.map(() => 1 + Math.floor(rnd() * 3));
      return { inputs: [floats(rnd, dims)], attrs: { starts, ends, steps } };
    },
  },
  pad: {
    examples: [
      {
        inputs: [f32([1, 2])],
        attrs: { before: [1], after: [2], value: -1 },
        expected: f32([-1, 1, 2, -1, -1]),
      },
      {
        inputs: [f32([5], [1, 1])],
        attrs: { before: [0, 1], after: [1, 0] },
        expected: f32([0, 5, 0, 0], [2, 2]),
      },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { before: dims.map(() => Math.floor(rnd() * 3)), after: dims.map(() => Math.floor(rnd() * 3)) },
    }),
  },
  flip: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])],
        attrs: { axes: [1] },
        expected: f32([3, 2, 1, 6, 5, 4], [2, 3]),
      },
    ],
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims)], attrs: { axes: randomAxes(rnd, dims.length) } }),
  },
  concat: {
    examples: [
      {
        inputs: [f32([1, 2], [1, 2]), f32([3, 4, 5, 6], [2, 2])],
        attrs: { axis: 0 },
        expected: f32([1, 2, 3, 4, 5, 6], [3, 2]),
      },
      { inputs: [f32([1, 2], [2, 1]), f32([], [2, 0])], attrs: { axis: 1 }, expected: f32([1, 2], [2, 1]) },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const axis = randomAxis(rnd, dims.length);
      const parts = 1 + Math.floor(rnd() * 3);
      const inputs = Array.from({ length: parts }, () =>
        floats(
          rnd,
          dims.map((d, i) => (i === axis ? 1 + Math.floor(rnd() * 3) : d)),
        ),
      );
      return { inputs, attrs: { axis } };
    },
  },

  // ——— matmul ———
  matmul: {
    examples: [
      // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
      {
        inputs: [f32([1, 2, 3, 4], [2, 2]), f32([5, 6, 7, 8], [2, 2])],
        expected: f32([19, 22, 43, 50], [2, 2]),
      },
      // a batch of two [1,2] rows against one shared [2,1] column
      { inputs: [f32([1, 2, 3, 4], [2, 1, 2]), f32([1, 1], [2, 1])], expected: f32([3, 7], [2, 1, 1]) },
      { inputs: [f32([], [2, 0]), f32([], [0, 3])], expected: f32([0, 0, 0, 0, 0, 0], [2, 3]) },
      { inputs: [i32([1, 2], [1, 2]), i32([3, 4], [2, 1])], expected: i32([11], [1, 1]) },
    ],
    random: (dims, rnd) => {
      const [m, k, n] = [1 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 4)];
      const batch = dims.slice(0, 2);
      const other = broadcastable(rnd, batch);
      return rnd() < 0.5
        ? { inputs: [floats(rnd, [...batch, m, k]), floats(rnd, [...other, k, n])] }
        : { inputs: [floats(rnd, [...other, m, k]), floats(rnd, [...batch, k, n])] };
    },
  },

  // ——— quantized weights ———
  dequantize: {
    examples: [
      // Q8_0: d = 0.5 (binary16 0x3800), quants −2, 0, 3, then zeros; a second row with d = 1.
      {
        inputs: [u8([0x00, 0x38, 0xfe, 0, 3, ...zeros(29), 0x00, 0x3c, 7, ...zeros(31)], [2, 34])],
        attrs: { type: "Q8_0" },
        expected: f32([-1, 0, 1.5, ...zeros(29), 7, ...zeros(31)], [2, 32]),
      },
      // Q4_0 (any letter case): d = 2, nibble 0x0f → (15 − 8)·2 = 14 and (0 − 8)·2 = −16.
      {
        inputs: [u8([0x00, 0x40, 0x0f, ...Array(15).fill(0x88)], [1, 18])],
        attrs: { type: "q4_0" },
        expected: f32([14, ...zeros(15), -16, ...zeros(15)], [1, 32]),
      },
      // F16 rows: 1.0, −2.0.
      {
        inputs: [u8([0x00, 0x3c, 0x00, 0xc0], [1, 4])],
        attrs: { type: "F16" },
        expected: f32([1, -2], [1, 2]),
      },
      {
        inputs: [u8([1, 2, 3], [1, 3])],
        attrs: { type: "Q8_0" },
        throws: /dequantize: \[1,3\]: a Q8_0 row is a multiple of 34 bytes, got 3/,
      },
      {
        inputs: [f32([1, 2], [1, 2])],
        attrs: { type: "F16" },
        throws: /dequantize: packed weights are uint8, got float32/,
      },
      {
        inputs: [u8([0, 0], [1, 2])],
        attrs: { type: "Q3_K" },
        throws: /dequantize: unknown tensor type "Q3_K"/,
      },
    ],
    random: (dims, rnd) => {
      const type = QUANT_TYPES[Math.floor(rnd() * QUANT_TYPES.length)]!;
      const rows = dims[0] ?? 1;
      const columns = codecOf(type).blockSize * (dims[1] ?? 1);
      return { inputs: [packed(rnd, type, rows, columns)], attrs: { type } };
    },
  },
  quantizedMatmul: {
    examples: [
      // x = ones [1, 32]; W row 0 is Q8_0 d = 1 with every quant 1 (sum 32), row 1 has d = 0.5
      // and quant j = j (sum 0.5 · 496).
      {
        inputs: [
          f32(Array(32).fill(1), [1, 32]),
          u8(
            [0x00, 0x3c, ...Array(32).fill(1), 0x00, 0x38, ...Array.from({ length: 32 }, (_, j) => j)],
            [2, 34],
          ),
        ],
        attrs: { type: "Q8_0" },
        expected: f32([32, 248], [1, 2]),
      },
      // The same weights with x rounded to a Q8_0 block as llama.cpp does: amax 127 gives
      // scale 1, so 1.3 becomes 1 (and the product 127 + 1, and 0.5 · 1).
      {
        inputs: [
          f32([127, 1.3, ...Array(30).fill(0)], [1, 32]),
          u8(
            [0x00, 0x3c, ...Array(32).fill(1), 0x00, 0x38, ...Array.from({ length: 32 }, (_, j) => j)],
            [2, 34],
          ),
        ],
        attrs: { type: "Q8_0", roundActivations: true },
        expected: f32([128, 0.5], [1, 2]),
      },
      // a batch of two rows of two, against F32 weights [[1, 2], [3, 4]] (x · Wᵀ)
      {
        inputs: [
          f32([1, 0, 0, 1, 1, 1, 2, -1], [2, 2, 2]),
          u8(new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer), [2, 8]),
        ],
        attrs: { type: "F32" },
        expected: f32([1, 3, 2, 4, 3, 7, 0, 2], [2, 2, 2]),
      },
      {
        inputs: [f32(Array(16).fill(1), [1, 16]), u8(Array(34).fill(0), [1, 34])],
        attrs: { type: "Q8_0" },
        throws: /quantizedMatmul: x \[1,16\] needs 32 columns to multiply Q8_0 weights of 1 × 32/,
      },
      {
        inputs: [f32(Array(32).fill(1), [32]), u8(Array(34).fill(0), [1, 34])],
        attrs: { type: "Q8_0" },
        throws: /quantizedMatmul: x needs rank ≥ 2/,
      },
    ],
    random: (dims, rnd) => {
      const type = QUANT_TYPES[Math.floor(rnd() * QUANT_TYPES.length)]!;
      const [m, n] = [dims[0] ?? 1, dims[1] ?? 1];
      const k = codecOf(type).blockSize * (type.endsWith("_K") ? 1 : (dims[2] ?? 1));
      const lead = rnd() < 0.3 ? [1 + Math.floor(rnd() * 2)] : [];
      const attrs = rnd() < 0.5 ? { type, roundActivations: true } : { type };
      return { inputs: [floats(rnd, [...lead, m, k], -1, 1), packed(rnd, type, n, k)], attrs };
    },
    // Rounding passes gradients straight through: the VJP is the unrounded product's.
    gradientSample: ({ inputs, attrs }) => ({ inputs, attrs: { type: (attrs as { type: string }).type } }),
  },

  // ——— indexing ———
  gather: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [3, 2]), i32([2, 0, 2])],
        attrs: { axis: 0 },
        expected: f32([5, 6, 1, 2, 5, 6], [3, 2]),
      },
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3]), i32([1, 1, 0, 2], [2, 2])],
        attrs: { axis: 1 },
        expected: f32([2, 2, 1, 3, 5, 5, 4, 6], [2, 2, 2]),
      },
      { inputs: [f32([1, 2, 3]), i32([], [0])], attrs: { axis: 0 }, expected: f32([], [0]) },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const axis = randomAxis(rnd, dims.length);
      return {
        inputs: [floats(rnd, dims), ints(rnd, [1 + Math.floor(rnd() * 4)], 0, dims[axis]!)],
        attrs: { axis },
      };
    },
  },
  scatterAdd: {
    examples: [
      // index 1 twice: both updates add up
      {
        inputs: [f32([0, 0, 0]), i32([1, 1, 2]), f32([1, 2, 3])],
        attrs: { axis: 0 },
        expected: f32([0, 3, 3]),
      },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const axis = randomAxis(rnd, dims.length);
      const idx = ints(rnd, [1 + Math.floor(rnd() * 4)], 0, dims[axis]!);
      const updShape = [...dims.slice(0, axis), idx.shape[0]!, ...dims.slice(axis + 1)];
      return { inputs: [floats(rnd, dims), idx, floats(rnd, updShape)], attrs: { axis } };
    },
  },

  sparseMatmul: {
    examples: [
      // [[0, 2, 0], [1, 0, 3]] (entry (1,0) given as 0.5 + 0.5: duplicates add) × [[1, 2], [3, 4], [5, 6]]
      {
        inputs: [
          i32([0, 1, 1, 1]),
          i32([1, 0, 2, 0]),
          f32([2, 0.5, 3, 0.5]),
          f32([1, 2, 3, 4, 5, 6], [3, 2]),
        ],
        attrs: { rows: 2 },
        expected: f32([6, 8, 16, 20], [2, 2]),
      },
      // an empty row and no entries at all
      {
        inputs: [i32([], [0]), i32([], [0]), f32([], [0]), f32([1, 2], [1, 2])],
        attrs: { rows: 2 },
        expected: f32([0, 0, 0, 0], [2, 2]),
      },
      {
        inputs: [i32([0]), i32([3]), f32([1]), f32([1, 2, 3], [3, 1])],
        attrs: { rows: 1 },
        throws: /sparseMatmul: entry 0 at \(0, 3\) is outside the 1 × 3 sparse matrix/,
      },
    ],
    minRank: 2,
    random: (dims, rnd) => {
      const [columns, d] = [dims[0]!, dims[1]!];
      const rows = 1 + Math.floor(rnd() * 4);
      const n = Math.floor(rnd() * 7);
      return {
        inputs: [
          ints(rnd, [n], 0, rows),
          ints(rnd, [n], 0, columns),
          floats(rnd, [n]),
          floats(rnd, [columns, d]),
        ],
        attrs: { rows },
      };
    },
  },

  checkRange: {
    examples: [
      { inputs: [i32([0, 2, -100])], attrs: { low: 0, high: 3, except: -100 }, expected: i32([0, 2, -100]) },
      {
        inputs: [i32([0, 3])],
        attrs: { low: 0, high: 3, what: "id" },
        throws: /checkRange: id 3 at position 1 is outside \[0, 3\)/,
      },
    ],
  },

  // ——— creation ———
  full: {
    examples: [
      { inputs: [], attrs: { value: 2.5, shape: [2], dtype: "float32" }, expected: f32([2.5, 2.5]) },
      { inputs: [], attrs: { value: 7, shape: [], dtype: "int32" }, expected: i32([7], []) },
    ],
  },
  arange: {
    examples: [
      {
        inputs: [],
        attrs: { start: 1, step: 0.5, length: 4, dtype: "float32" },
        expected: f32([1, 1.5, 2, 2.5]),
      },
      { inputs: [], attrs: { start: 3, step: -1, length: 3, dtype: "int32" }, expected: i32([3, 2, 1]) },
      { inputs: [], attrs: { start: 0, step: 1, length: 0, dtype: "int32" }, expected: i32([], [0]) },
    ],
  },
  randomUniform: {
    examples: [
      {
        inputs: [i32([42], [])],
        attrs: { shape: [100, 100] },
        check: (out) => {
          const xs = Array.from(out.data);
          const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
          if (!xs.every((x) => x >= 0 && x < 1)) throw new Error("values outside [0, 1)");
          // The mean of 10⁴ uniforms has standard deviation 0.0029.
          if (Math.abs(mean - 0.5) > 0.015) throw new Error(`mean ${mean} is far from 0.5`);
        },
      },
    ],
  },
  randomNormal: {
    examples: [
      {
        inputs: [i32([7], [])],
        attrs: { shape: [10000] },
        check: (out) => {
          const xs = Array.from(out.data);
          const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
          const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
          if (Math.abs(mean) > 0.05) throw new Error(`mean ${mean} is far from 0`);
          if (Math.abs(variance - 1) > 0.05) throw new Error(`variance ${variance} is far from 1`);
        },
      },
    ],
  },

  // ——— activations ———
  relu: {
    examples: [{ inputs: [f32([-1, 0, 2])], expected: f32([0, 0, 2]) }],
    random: (dims, rnd) => ({ inputs: [awayFromZero(rnd, dims)] }),
  },
  sigmoid: { examples: [{ inputs: [f32([0, 2, -2])], expected: f32([0.5, s(2), s(-2)]) }], random: unary() },
  silu: { examples: [{ inputs: [f32([0, 1, -1])], expected: f32([0, s(1), -s(-1)]) }], random: unary() },
  gelu: {
    examples: [
      // x·Φ(x): Φ(1) = 0.8413447461, Φ(−1) = 0.1586552539
      { inputs: [f32([0, 1, -1])], expected: f32([0, 0.8413447461, -0.1586552539]) },
      // tanh form at 1: 0.5·(1 + tanh(√(2/π)·1.044715)) = 0.8411919906
      { inputs: [f32([1])], attrs: { approximate: "tanh" }, expected: f32([0.8411919906]) },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { approximate: rnd() < 0.5 ? "none" : "tanh" },
    }),
  },

  // ——— statistics ———
  mean: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [2, 3])],
        attrs: { axes: [0] },
        expected: f32([2.5, 3.5, 4.5], [3]),
      },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { axes: randomAxes(rnd, dims.length), keepdims: rnd() < 0.5 },
    }),
  },
  variance: {
    examples: [
      // [1,2,3,4]: mean 2.5, squared deviations sum to 5
      { inputs: [f32([1, 2, 3, 4])], expected: f32([1.25], []) },
      { inputs: [f32([1, 2, 3, 4])], attrs: { correction: 1 }, expected: f32([5 / 3], []) },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { axes: randomAxes(rnd, dims.length), keepdims: rnd() < 0.5 },
    }),
  },

  // ——— softmax family ———
  softmax: {
    examples: [
      // e^0, e^1, e^2 over their sum 11.1073
      { inputs: [f32([0, 1, 2])], expected: f32([0.09003057, 0.24472847, 0.66524096]) },
      // large logits stay finite (max subtracted)
      { inputs: [f32([1000, 1000], [1, 2])], expected: f32([0.5, 0.5], [1, 2]) },
    ],
    minRank: 1,
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims)], attrs: { axis: randomAxis(rnd, dims.length) } }),
  },
  logSoftmax: {
    examples: [{ inputs: [f32([0, 1, 2])], expected: f32([-2.40760596, -1.40760596, -0.40760596]) }],
    minRank: 1,
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims)], attrs: { axis: randomAxis(rnd, dims.length) } }),
  },
  logsumexp: {
    examples: [
      { inputs: [f32([0, 1, 2])], expected: f32([2.40760596], []) },
      { inputs: [f32([1000, 1000])], expected: f32([1000 + Math.LN2], []) },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { axes: randomAxes(rnd, dims.length), keepdims: rnd() < 0.5 },
    }),
  },

  // ——— normalisation ———
  layerNorm: {
    examples: [
      // [1,2,3]: mean 2, variance 2/3 → (x−2)/√(2/3 + 1e−5)·w + b
      {
        inputs: [f32([1, 2, 3], [1, 3]), f32([1, 1, 2]), f32([0, 1, 0])],
        attrs: { eps: 1e-5 },
        expected: f32([-1.2247357, 1, 2.4494714], [1, 3]),
      },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const last = dims[dims.length - 1]!;
      return { inputs: [floats(rnd, dims), floats(rnd, [last]), floats(rnd, [last])] };
    },
  },
  rmsNorm: {
    examples: [
      // [3,4]: mean square 12.5 → x/√12.5
      {
        inputs: [f32([3, 4]), f32([1, 2])],
        attrs: { eps: 0 },
        expected: f32([3 / Math.sqrt(12.5), 8 / Math.sqrt(12.5)]),
      },
    ],
    minRank: 1,
    random: (dims, rnd) => ({ inputs: [floats(rnd, dims), floats(rnd, [dims[dims.length - 1]!])] }),
  },

  // ——— losses ———
  crossEntropy: {
    examples: [
      // row 0: logsumexp(0,1,2) − 2 = 0.40760596; row 1 is ignored;
      // row 2: logsumexp(3,3,−1) − 3 = log(2 + e⁻⁴) = 0.70225966; the mean of the two counted rows
      {
        inputs: [f32([0, 1, 2, 5, 5, 5, 3, 3, -1], [3, 3]), i32([2, -100, 0])],
        expected: f32([(0.40760596 + Math.log(2 + Math.exp(-4))) / 2], []),
      },
      // label smoothing 0.3 over 2 classes: target (0.15, 0.85); logits (0, ln 3) give
      // log p = (ln ¼, ln ¾), so the loss is −0.15·ln 0.25 − 0.85·ln 0.75
      {
        inputs: [f32([0, Math.log(3)], [1, 2]), i32([1])],
        attrs: { labelSmoothing: 0.3 },
        expected: f32([-0.15 * Math.log(0.25) - 0.85 * Math.log(0.75)], []),
      },
      // ignoreIndex 0, a padding id inside [0, C): rows with target 0 count neither in the
      // sum nor in the mean, as in PyTorch; row 0 as above, row 1 ignored
      {
        inputs: [f32([0, 1, 2, 5, 5, 5], [2, 3]), i32([2, 0])],
        attrs: { ignoreIndex: 0 },
        expected: f32([0.40760596], []),
      },
      { inputs: [f32([0, 1], [1, 2]), i32([1])], attrs: { labelSmoothing: 1.5 }, throws: /labelSmoothing/ },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const classes = dims[dims.length - 1]!;
      const targets = ints(rnd, dims.slice(0, -1), 0, classes);
      const withIgnored = i32(
        Array.from(targets.data, (t) => (rnd() < 0.2 ? -100 : t)),
        targets.shape,
      );
      return {
        inputs: [floats(rnd, dims), withIgnored],
        ...(rnd() < 0.5 ? { attrs: { labelSmoothing: 0.1 } } : {}),
      };
    },
  },

  // ——— ids and vectors ———
  embedding: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [3, 2]), i32([2, 0], [1, 2])],
        expected: f32([5, 6, 1, 2], [1, 2, 2]),
      },
    ],
    random: (dims, rnd) => ({ inputs: [floats(rnd, [5, 3]), ints(rnd, dims, 0, 5)] }),
  },
  oneHot: {
    examples: [
      { inputs: [i32([0, 2, -1])], attrs: { depth: 3 }, expected: f32([1, 0, 0, 0, 0, 1, 0, 0, 0], [3, 3]) },
    ],
    random: (dims, rnd) => ({ inputs: [ints(rnd, dims, -1, 4)], attrs: { depth: 4 } }),
  },
  argmax: {
    examples: [
      // ties go to the first maximum
      { inputs: [f32([1, 5, 5, 7, 0, 7], [2, 3])], expected: i32([1, 0], [2]) },
      {
        inputs: [f32([1, 5, 5, 7, 0, 7], [2, 3])],
        attrs: { axis: 0, keepdims: true },
        expected: i32([1, 0, 1], [1, 3]),
      },
    ],
    minRank: 1,
    random: (dims, rnd) => ({
      inputs: [ints(rnd, dims, 0, 3)],
      attrs: { axis: randomAxis(rnd, dims.length) },
    }),
  },
  dropout: {
    examples: [
      {
        inputs: [f32(new Array(4000).fill(1)), i32([3], [])],
        attrs: { p: 0.25 },
        check: (out) => {
          const kept = Array.from(out.data).filter((v) => v !== 0);
          if (!kept.every((v) => Math.abs(v - 4 / 3) < 1e-6))
            throw new Error("kept values are not scaled by 1/(1−p)");
          // 3000 expected, standard deviation √(4000·0.25·0.75) ≈ 27
          if (Math.abs(kept.length - 3000) > 150)
            throw new Error(`${kept.length} of 4000 kept, expected about 3000`);
        },
      },
    ],
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims), i32([Math.floor(rnd() * 1000)], [])],
      attrs: { p: 0.5 },
    }),
  },
  // ——— images ———
  conv2d: {
    examples: [
      // the 2×2 kernel [1, 0; 0, 1] adds each pixel to its lower-right neighbour
      {
        inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]), f32([1, 0, 0, 1], [1, 1, 2, 2])],
        expected: f32([6, 8, 12, 14], [1, 1, 2, 2]),
      },
      // stride 2, padding 1: window (0, 0) sees only x00 at tap (1, 1): 1·4; (0, 1) sees 2·3 + 3·4;
      // (1, 0) sees 4·2 + 7·4; (1, 1) sees 5·1 + 6·2 + 8·3 + 9·4
      {
        inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]), f32([1, 2, 3, 4], [1, 1, 2, 2])],
        attrs: { stride: [2], padding: [1] },
        expected: f32([4, 18, 36, 77], [1, 1, 2, 2]),
      },
      // dilation 2: the 2×2 kernel of ones reads the four corners 1 + 3 + 7 + 9
      {
        inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]), f32([1, 1, 1, 1], [1, 1, 2, 2])],
        attrs: { dilation: [2, 2] },
        expected: f32([20], [1, 1, 1, 1]),
      },
      // two groups: each output channel sees its own input channel
      {
        inputs: [f32([2, 3], [1, 2, 1, 1]), f32([10, 100], [2, 1, 1, 1])],
        attrs: { groups: 2 },
        expected: f32([20, 300], [1, 2, 1, 1]),
      },
      {
        inputs: [f32([1, 2], [1, 2, 1, 1]), f32([1], [1, 1, 1, 1])],
        throws: /conv2d: x \[1,2,1,1\] with 1 group needs a weight \[out, in\/groups, kh, kw\] with in = 2/,
      },
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2]), f32(new Array(9).fill(1), [1, 1, 3, 3])],
        throws: /conv2d: a 3×3 window \(dilation 1×1, padding 0×0\) does not fit a 2×2 image/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c0] = batchAndChannels(dims);
      const groups = pick(rnd, 1, 2);
      const [c, o] = [c0! * groups, pick(rnd, 1, 2) * groups];
      const { kernel, stride, padding, dilation, size } = randomWindow(rnd);
      return {
        inputs: [floats(rnd, [n!, c, ...size]), floats(rnd, [o, c / groups, ...kernel], -1, 1)],
        attrs: { stride, padding, dilation, groups },
      };
    },
  },
  convTranspose2d: {
    examples: [
      // stride 2: each pixel fills its own 2×2 block
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2]), f32([1, 1, 1, 1], [1, 1, 2, 2])],
        attrs: { stride: [2] },
        expected: f32([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], [1, 1, 4, 4]),
      },
      // stride 1: overlapping blocks add (the centre gets all four pixels)
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2]), f32([1, 1, 1, 1], [1, 1, 2, 2])],
        expected: f32([1, 3, 2, 4, 10, 6, 3, 7, 4], [1, 1, 3, 3]),
      },
      // padding 1 crops that 3×3 result to its centre; outputPadding adds a row and a column
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2]), f32([1, 1, 1, 1], [1, 1, 2, 2])],
        attrs: { padding: [1] },
        expected: f32([10], [1, 1, 1, 1]),
      },
      {
        inputs: [f32([5], [1, 1, 1, 1]), f32([1, 2], [1, 2, 1, 1])],
        attrs: { stride: [2], outputPadding: [1] },
        expected: f32([5, 0, 0, 0, 10, 0, 0, 0], [1, 2, 2, 2]),
      },
      {
        inputs: [f32([5], [1, 1, 1, 1]), f32([1], [1, 1, 1, 1])],
        attrs: { stride: [2], outputPadding: [2] },
        throws: /convTranspose2d: outputPadding \[2,2\] must be smaller than the stride \[2,2\]/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c0] = batchAndChannels(dims);
      const groups = pick(rnd, 1, 2);
      const [c, og] = [c0! * groups, pick(rnd, 1, 2)];
      const { kernel, stride, padding, dilation } = randomWindow(rnd);
      const outputPadding = stride.map((s) => pick(rnd, 0, s - 1));
      // enough input that the padding leaves an output
      const size = kernel.map(
        (k, i) =>
          pick(rnd, 1, 3) + Math.ceil(Math.max(0, 2 * padding[i]! - dilation[i]! * (k - 1)) / stride[i]!),
      );
      return {
        inputs: [floats(rnd, [n!, c, ...size]), floats(rnd, [c, og, ...kernel], -1, 1)],
        attrs: { stride, padding, dilation, groups, outputPadding },
      };
    },
  },
  im2col: {
    examples: [
      // 2×3 image, 2×2 window: two positions; rows are taps (0,0), (0,1), (1,0), (1,1)
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [1, 1, 2, 3])],
        attrs: { kernel: [2] },
        expected: f32([1, 2, 2, 3, 4, 5, 5, 6], [1, 4, 2]),
      },
      // padding reads as zero: a 1×1 image, 3×3 window, padding 1
      {
        inputs: [f32([7], [1, 1, 1, 1])],
        attrs: { kernel: [3], padding: [1] },
        expected: f32([0, 0, 0, 0, 7, 0, 0, 0, 0], [1, 9, 1]),
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, stride, padding, dilation, size } = randomWindow(rnd);
      return { inputs: [floats(rnd, [n!, c!, ...size])], attrs: { kernel, stride, padding, dilation } };
    },
  },
  col2im: {
    examples: [
      // columns of ones: each pixel gets the number of windows covering it
      {
        inputs: [f32(new Array(8).fill(1), [1, 4, 2])],
        attrs: { kernel: [2], outputSize: [2, 3] },
        expected: f32([1, 2, 1, 1, 2, 1], [1, 1, 2, 3]),
      },
      {
        inputs: [f32(new Array(8).fill(1), [1, 4, 2])],
        attrs: { kernel: [2], outputSize: [3, 3] },
        throws:
          /col2im: columns must be \[batch, channels·4, 4\] for a 2×2 window over 3×3 \(2×2 positions\), got \[1,4,2\]/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, stride, padding, dilation, size } = randomWindow(rnd);
      const positions = size.map(
        (s, i) => Math.floor((s + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1,
      );
      return {
        inputs: [floats(rnd, [n!, c! * kernel[0]! * kernel[1]!, positions[0]! * positions[1]!])],
        attrs: { kernel, stride, padding, dilation, outputSize: size },
      };
    },
  },
  maxPool2d: {
    examples: [
      {
        inputs: [f32([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 2, 9, 1, 3, 3], [1, 1, 4, 4])],
        attrs: { kernel: [2] },
        expected: f32([5, 8, 9, 3], [1, 1, 2, 2]),
      },
      // padding never wins, even against negative values
      {
        inputs: [f32([-1, -2, -3, -4], [1, 1, 2, 2])],
        attrs: { kernel: [2], stride: [1], padding: [1] },
        expected: f32([-1, -1, -2, -1, -1, -2, -3, -3, -4], [1, 1, 3, 3]),
      },
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2])],
        attrs: { kernel: [2], padding: [2] },
        throws: /maxPool2d: padding \[2,2\] must be at most half the window/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, padding, dilation, size } = randomWindow(rnd, {
        maxPadding: "half",
        wholeWindow: true,
      });
      const stride = rnd() < 0.5 ? kernel : [pick(rnd, 1, 2), pick(rnd, 1, 2)];
      return { inputs: [floats(rnd, [n!, c!, ...size])], attrs: { kernel, stride, padding, dilation } };
    },
  },
  maxPool2dArgmax: {
    examples: [
      // ties go to the first tap in row-major order
      { inputs: [f32([1, 5, 5, 0], [1, 1, 2, 2])], attrs: { kernel: [2] }, expected: i32([1], [1, 1, 1, 1]) },
      // a NaN maximum points at no tap
      {
        inputs: [f32([Number.NaN, 1, 2, 3], [1, 1, 2, 2])],
        attrs: { kernel: [2] },
        expected: i32([4], [1, 1, 1, 1]),
      },
      // padding never wins, even against negative values
      {
        inputs: [f32([-1, -2, -3, -4], [1, 1, 2, 2])],
        attrs: { kernel: [2], stride: [1], padding: [1] },
        expected: i32([3, 2, 2, 1, 0, 0, 1, 0, 0], [1, 1, 3, 3]),
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, padding, dilation, size } = randomWindow(rnd, {
        maxPadding: "half",
        wholeWindow: true,
      });
      const stride = rnd() < 0.5 ? kernel : [pick(rnd, 1, 2), pick(rnd, 1, 2)];
      // Whole numbers in a small range, so that windows often hold ties.
      const x = floats(rnd, [n!, c!, ...size], -2, 2);
      return {
        inputs: [{ ...x, data: Array.from(x.data, (v) => Math.round(v)) }],
        attrs: { kernel, stride, padding, dilation },
      };
    },
  },
  maxPool2dGrad: {
    examples: [
      {
        inputs: [f32([7], [1, 1, 1, 1]), i32([1], [1, 1, 1, 1])],
        attrs: { kernel: [2], outputSize: [2, 2] },
        expected: f32([0, 7, 0, 0], [1, 1, 2, 2]),
      },
      // index KH·KW: no tap gets the gradient
      {
        inputs: [f32([7], [1, 1, 1, 1]), i32([4], [1, 1, 1, 1])],
        attrs: { kernel: [2], outputSize: [2, 2] },
        expected: f32([0, 0, 0, 0], [1, 1, 2, 2]),
      },
      // overlapping windows add where they pick the same pixel
      {
        inputs: [f32([2, 3], [1, 1, 1, 2]), i32([1, 0], [1, 1, 1, 2])],
        attrs: { kernel: [2], stride: [1], outputSize: [2, 3] },
        expected: f32([0, 5, 0, 0, 0, 0], [1, 1, 2, 3]),
      },
      {
        inputs: [f32([7], [1, 1, 1, 1]), i32([1], [1, 1, 1, 1])],
        attrs: { kernel: [2], outputSize: [4, 4] },
        throws: /maxPool2dGrad: g and int32 argmax must both be \[1,1,2,2\]/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, padding, dilation, size } = randomWindow(rnd, {
        maxPadding: "half",
        wholeWindow: true,
      });
      const stride = rnd() < 0.5 ? kernel : [pick(rnd, 1, 2), pick(rnd, 1, 2)];
      const positions = size.map(
        (s, i) => Math.floor((s + 2 * padding[i]! - dilation[i]! * (kernel[i]! - 1) - 1) / stride[i]!) + 1,
      );
      const shape = [n!, c!, positions[0]!, positions[1]!];
      const count = shape.reduce((a, b) => a * b, 1);
      const taps = kernel[0]! * kernel[1]!;
      return {
        inputs: [
          floats(rnd, shape),
          i32(
            Array.from({ length: count }, () => Math.floor(rnd() * (taps + 1))),
            shape,
          ),
        ],
        attrs: { kernel, stride, padding, dilation, outputSize: size },
      };
    },
  },
  avgPool2d: {
    examples: [
      {
        inputs: [f32([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 2, 9, 1, 3, 3], [1, 1, 4, 4])],
        attrs: { kernel: [2] },
        expected: f32([3.25, 2.75, 2.5, 2.25], [1, 1, 2, 2]),
      },
      // padding 1: every window holds one pixel and three zeros of padding
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2])],
        attrs: { kernel: [2], padding: [1] },
        expected: f32([0.25, 0.5, 0.75, 1], [1, 1, 2, 2]),
      },
      {
        inputs: [f32([1, 2, 3, 4], [1, 1, 2, 2])],
        attrs: { kernel: [2], padding: [1], countIncludePad: false },
        expected: f32([1, 2, 3, 4], [1, 1, 2, 2]),
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const { kernel, padding, size } = randomWindow(rnd, { dilation: false, maxPadding: "half" });
      const stride = rnd() < 0.5 ? kernel : [pick(rnd, 1, 2), pick(rnd, 1, 2)];
      return {
        inputs: [floats(rnd, [n!, c!, ...size])],
        attrs: { kernel, stride, padding, countIncludePad: rnd() < 0.5 },
      };
    },
  },
  adaptiveAvgPool2d: {
    examples: [
      // 3 → 2 bins overlap: rows [0, 2) and [1, 3), columns likewise
      {
        inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3])],
        attrs: { outputSize: [2] },
        expected: f32([3, 4, 6, 7], [1, 1, 2, 2]),
      },
      {
        inputs: [f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3])],
        attrs: { outputSize: [1, 1] },
        expected: f32([5], [1, 1, 1, 1]),
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const [h, w] = [pick(rnd, 1, 6), pick(rnd, 1, 6)];
      return {
        inputs: [floats(rnd, [n!, c!, h, w])],
        attrs: { outputSize: [pick(rnd, 1, 4), pick(rnd, 1, 4)] },
      };
    },
  },
  upsample2d: {
    examples: [
      {
        inputs: [f32([1, 2], [1, 1, 1, 2])],
        attrs: { size: [2, 4] },
        expected: f32([1, 1, 2, 2, 1, 1, 2, 2], [1, 1, 2, 4]),
      },
      // nearest 2 → 3 columns reads ⌊o·2/3⌋ = 0, 0, 1
      {
        inputs: [f32([1, 2], [1, 1, 1, 2])],
        attrs: { size: [1, 3] },
        expected: f32([1, 1, 2], [1, 1, 1, 3]),
      },
      // bilinear 2 → 4: sources max(0, (o + ½)/2 − ½) = 0, 0.25, 0.75, 1.25 (clamped to the last column)
      {
        inputs: [f32([0, 1], [1, 1, 1, 2])],
        attrs: { size: [1, 4], mode: "bilinear" },
        expected: f32([0, 0.25, 0.75, 1], [1, 1, 1, 4]),
      },
      {
        inputs: [f32([0, 1], [1, 1, 1, 2])],
        attrs: { size: [1, 4], mode: "bilinear", alignCorners: true },
        expected: f32([0, 1 / 3, 2 / 3, 1], [1, 1, 1, 4]),
      },
      {
        inputs: [f32([0, 1], [1, 1, 1, 2])],
        attrs: { size: [1, 4], mode: "bicubic" },
        throws: /upsample2d: mode must be nearest or bilinear, got "bicubic"/,
      },
    ],
    random: (dims, rnd) => {
      const [n, c] = batchAndChannels(dims);
      const mode = rnd() < 0.5 ? "nearest" : "bilinear";
      return {
        inputs: [floats(rnd, [n!, c!, pick(rnd, 1, 4), pick(rnd, 1, 4)])],
        attrs: {
          size: [pick(rnd, 1, 8), pick(rnd, 1, 8)],
          mode,
          ...(mode === "bilinear" ? { alignCorners: rnd() < 0.5 } : {}),
        },
      };
    },
  },
  batchNorm: {
    examples: [
      // channel 0: (x − 2)/1; channel 1: (x − 3)/2·2 + 1
      {
        inputs: [f32([1, 2, 3, 4], [2, 2]), f32([2, 3]), f32([1, 4]), f32([1, 2]), f32([0, 1])],
        attrs: { eps: 0 },
        expected: f32([-1, 0, 1, 2], [2, 2]),
      },
      {
        inputs: [f32([1, 2, 3, 4], [2, 2]), f32([2, 3, 4]), f32([1, 4]), f32([1, 2]), f32([0, 1])],
        throws: /batchNorm: mean must be float32 \[2\] for x \[2,2\], got float32 \[3\]/,
      },
    ],
    minRank: 2,
    random: (dims, rnd) => {
      const c = dims[1]!;
      return {
        inputs: [
          floats(rnd, dims),
          floats(rnd, [c]),
          floats(rnd, [c], 0.5, 2),
          floats(rnd, [c]),
          floats(rnd, [c]),
        ],
        attrs: { eps: 1e-5 },
      };
    },
  },
  // ——— recurrent cells ———
  lstmCell: {
    examples: [
      // I = H = 1. i = σ(1·1) = s(1); f = σ(2·0.5 + 1) = s(2); g = tanh(2·1) = tanh(2);
      // o = σ(−1·1 + 2·0.5) = ½; c' = f·2 + i·g; h' = o·tanh(c'); state' = [h', c']
      {
        inputs: [
          f32([1], [1, 1]),
          f32([0.5, 2], [1, 2]),
          f32([1, 0, 2, -1], [4, 1]),
          f32([0, 2, 0, 2], [4, 1]),
          f32([0, 0, 0, 0]),
          f32([0, 1, 0, 0]),
        ],
        expected: f32(
          [0.5 * Math.tanh(s(2) * 2 + s(1) * Math.tanh(2)), s(2) * 2 + s(1) * Math.tanh(2)],
          [1, 2],
        ),
      },
      // H = 2 without batch axes, only biases: the gate rows are i, f, g, o (two each), and
      // the state is [h1, h2, c1, c2] = [0, 0, 1, −1]. i = (s(0), s(1)), f = (s(2), s(3)),
      // g = (tanh 1, tanh −1), o = (½, ½).
      {
        inputs: [
          f32([0], [1]),
          f32([0, 0, 1, -1], [4]),
          f32(new Array(8).fill(0), [8, 1]),
          f32(new Array(16).fill(0), [8, 2]),
          f32([0, 1, 2, 3, 1, -1, 0, 0]),
          f32(new Array(8).fill(0)),
        ],
        expected: f32(
          [
            0.5 * Math.tanh(s(2) + 0.5 * Math.tanh(1)),
            0.5 * Math.tanh(-s(3) + s(1) * Math.tanh(-1)),
            s(2) + 0.5 * Math.tanh(1),
            -s(3) + s(1) * Math.tanh(-1),
          ],
          [4],
        ),
      },
      {
        inputs: [
          f32([1], [1, 1]),
          f32([0, 0, 0], [1, 3]),
          f32([], [0, 1]),
          f32([], [0, 1]),
          f32([]),
          f32([]),
        ],
        throws: /lstmCell: state \[h, c\] must be \[1, 2·H\] for x \[1,1\], got \[1,3\]$/,
      },
      {
        inputs: [
          f32([1, 2], [1, 2]),
          f32([0, 0], [1, 2]),
          f32(new Array(8).fill(0), [4, 2]),
          f32(new Array(8).fill(0), [4, 2]),
          f32([0, 0, 0, 0]),
          f32([0, 0, 0, 0]),
        ],
        throws:
          /lstmCell: weight_hh must be \[4,1\] \(input size 2 from x \[1,2\], hidden size 1 from state \[h, c\] \[1,2\]\), got \[4,2\]$/,
      },
    ],
    random: (dims, rnd) => {
      const lead = dims.slice(0, 2);
      const [input, hidden] = [1 + Math.floor(rnd() * 3), 1 + Math.floor(rnd() * 3)];
      return {
        inputs: [
          floats(rnd, [...lead, input]),
          floats(rnd, [...lead, 2 * hidden]),
          floats(rnd, [4 * hidden, input], -1, 1),
          floats(rnd, [4 * hidden, hidden], -1, 1),
          floats(rnd, [4 * hidden], -1, 1),
          floats(rnd, [4 * hidden], -1, 1),
        ],
      };
    },
  },
  gruCell: {
    examples: [
      // I = H = 1. r = σ(1 + 2·0.5 − 1) = s(1); z = σ(−1 + 1) = ½;
      // n = tanh(2·1 + r·(4·0.5 + 1)) (r scales W_hn·h + b_hn, bias included, as PyTorch);
      // h' = (1 − z)·n + z·0.5
      {
        inputs: [
          f32([1], [1, 1]),
          f32([0.5], [1, 1]),
          f32([1, -1, 2], [3, 1]),
          f32([2, 0, 4], [3, 1]),
          f32([0, 0, 0]),
          f32([-1, 1, 1]),
        ],
        expected: f32([0.5 * Math.tanh(2 + 3 * s(1)) + 0.25], [1, 1]),
      },
      // H = 2, only biases: gate rows r, r, z, z, n, n. r = (½, ½), z = (½, s(2)),
      // n = (tanh(1 + ½·2), tanh(−1 + ½·2)) = (tanh 2, 0), h = (1, −1).
      {
        inputs: [
          f32([0], [1, 1]),
          f32([1, -1], [1, 2]),
          f32(new Array(6).fill(0), [6, 1]),
          f32(new Array(12).fill(0), [6, 2]),
          f32([0, 0, 0, 2, 1, -1]),
          f32([0, 0, 0, 0, 2, 2]),
        ],
        expected: f32([0.5 * Math.tanh(2) + 0.5, -s(2)], [1, 2]),
      },
      {
        inputs: [
          f32([1], [1, 1]),
          f32([0, 0], [1, 2]),
          f32([0, 0, 0], [3, 1]),
          f32([0, 0, 0], [3, 1]),
          f32([0, 0, 0]),
          f32([0, 0, 0]),
        ],
        throws:
          /gruCell: weight_ih must be \[6,1\] \(input size 1 from x \[1,1\], hidden size 2 from h \[1,2\]\), got \[3,1\]$/,
      },
      {
        inputs: [
          f32([1, 2], [2, 1]),
          f32([0], [1, 1]),
          f32([0, 0, 0], [3, 1]),
          f32([0, 0, 0], [3, 1]),
          f32([0, 0, 0]),
          f32([0, 0, 0]),
        ],
        throws: /gruCell: h must be \[2, H\] for x \[2,1\], got \[1,1\]$/,
      },
    ],
    random: (dims, rnd) => {
      const lead = dims.slice(0, 2);
      const [input, hidden] = [1 + Math.floor(rnd() * 3), 1 + Math.floor(rnd() * 3)];
      return {
        inputs: [
          floats(rnd, [...lead, input]),
          floats(rnd, [...lead, hidden]),
          floats(rnd, [3 * hidden, input], -1, 1),
          floats(rnd, [3 * hidden, hidden], -1, 1),
          floats(rnd, [3 * hidden], -1, 1),
          floats(rnd, [3 * hidden], -1, 1),
        ],
      };
    },
  },

  // ——— audio features ———
  frames: {
    examples: [
      {
        inputs: [f32([1, 2, 3, 4, 5])],
        attrs: { length: 3, hop: 2 },
        expected: f32([1, 2, 3, 3, 4, 5], [2, 3]),
      },
      // periodic Hann of length 4 is (0, ½, 1, ½)
      {
        inputs: [f32([1, 2, 3, 4, 5, 6], [1, 6])],
        attrs: { length: 4, hop: 2, window: "hann" },
        expected: f32([0, 1, 3, 2, 0, 2, 5, 3], [1, 2, 4]),
      },
      { inputs: [f32([1, 2])], attrs: { length: 3, hop: 1 }, throws: /shorter than one frame/ },
      { inputs: [f32([1, 2, 3])], attrs: { length: 2, hop: 1, window: "hamming" }, throws: /window must be/ },
    ],
    minRank: 1,
    random: (dims, rnd) => {
      const n = 3 + Math.floor(rnd() * 6);
      const length = 1 + Math.floor(rnd() * n);
      return {
        inputs: [floats(rnd, [...dims.slice(0, -1).slice(0, 2), n])],
        attrs: { length, hop: 1 + Math.floor(rnd() * 3), window: rnd() < 0.5 ? "hann" : "none" },
      };
    },
  },
  // X_k = Σ x_n e^(−2πikn/4): 10, −2 + 2i, −2
  rfft: {
    examples: [
      { inputs: [f32([1, 2, 3, 4])], expected: f32([10, 0, -2, 2, -2, 0], [3, 2]) },
      { inputs: [f32([5], [1, 1])], expected: f32([5, 0], [1, 1, 2]) },
    ],
    minRank: 1,
    random: unary(),
  },
  // One filter over 0…4000 Hz at 8 kHz with fftSize 4 (bins at 0, 2000, 4000 Hz): it peaks at
  // the mel midpoint c = 700·(10^(mel(4000)/2/2595) − 1) Hz, so only the 2000 Hz bin has
  // weight (4000 − 2000)/(4000 − c).
  melScale: {
    examples: [
      {
        inputs: [f32([1, 1, 1])],
        attrs: { sampleRate: 8000, bins: 1 },
        expected: f32([2000 / (4000 - 700 * (10 ** (Math.log10(1 + 4000 / 700) / 2) - 1))]),
      },
      { inputs: [f32([1, 1, 1])], attrs: { sampleRate: 8000, bins: 1, fMax: 5000 }, throws: /fMax/ },
    ],
    minRank: 1,
    random: (dims, rnd) => ({
      inputs: [floats(rnd, [...dims.slice(0, -1), 2 + Math.floor(rnd() * 4)], 0, 2)],
      attrs: { sampleRate: 8000, bins: 1 + Math.floor(rnd() * 3), fMin: 100 * Math.floor(rnd() * 3) },
    }),
  },
  // a constant has only the zeroth coefficient: 4 · √(1/4)
  dct: {
    examples: [
      { inputs: [f32([1, 1, 1, 1])], attrs: { coefficients: 2 }, expected: f32([2, 0]) },
      { inputs: [f32([1, 1])], attrs: { coefficients: 3 }, throws: /coefficients must be in \[1, 2\]/ },
    ],
    minRank: 1,
    random: (dims, rnd) => ({
      inputs: [floats(rnd, dims)],
      attrs: { coefficients: 1 + Math.floor(rnd() * dims[dims.length - 1]!) },
    }),
  },
  // silence: every mel energy is the floor 1e-6
  logMel: {
    examples: [
      {
        inputs: [f32(zeros(8))],
        attrs: { sampleRate: 8000, bins: 2, frameLength: 4, hop: 2, fftSize: 4 },
        expected: f32(Array(6).fill(Math.log(1e-6)), [3, 2]),
      },
      {
        inputs: [f32(zeros(8))],
        attrs: { sampleRate: 8000, bins: 2, frameLength: 4, hop: 2, fftSize: 2 },
        throws: /fftSize must be/,
      },
    ],
    minRank: 1,
    random: (dims, rnd) => ({
      inputs: [floats(rnd, [...dims.slice(0, -1).slice(0, 1), 8 + Math.floor(rnd() * 5)])],
      attrs: {
        sampleRate: 8000,
        bins: 1 + Math.floor(rnd() * 2),
        frameLength: 4,
        hop: 2 + Math.floor(rnd() * 3),
        fftSize: 4 + Math.floor(rnd() * 3),
      },
    }),
  },
  // silence: the DCT of a constant log(1e-6) over 2 bins is (√2·log 1e-6, 0)
  mfcc: {
    examples: [
      {
        inputs: [f32(zeros(8))],
        attrs: { sampleRate: 8000, bins: 2, frameLength: 4, hop: 2, fftSize: 4, coefficients: 2 },
        expected: f32(
          [0, 1, 2].flatMap(() => [Math.SQRT2 * Math.log(1e-6), 0]),
          [3, 2],
        ),
      },
    ],
    minRank: 1,
    random: (dims, rnd) => ({
      inputs: [floats(rnd, [...dims.slice(0, -1).slice(0, 1), 8 + Math.floor(rnd() * 5)])],
      attrs: {
        sampleRate: 8000,
        bins: 2,
        frameLength: 4,
        hop: 2,
        fftSize: 4,
        coefficients: 1 + Math.floor(rnd() * 2),
      },
    }),
  },

  // ——— sequence losses ———
  // one frame, one label: the only path is the label itself; two frames and label 1 (blank 0):
  // paths 11, b1, 1b give p = .6·.7 + .4·.7 + .6·.3 = .88
  ctcLoss: {
    examples: [
      {
        inputs: [f32([Math.log(0.3), Math.log(0.7)], [1, 1, 2]), i32([1], [1, 1]), i32([1]), i32([1])],
        expected: f32([-Math.log(0.7)]),
      },
      {
        inputs: [f32([0.4, 0.6, 0.3, 0.7].map(Math.log), [1, 2, 2]), i32([1], [1, 1]), i32([2]), i32([1])],
        expected: f32([-Math.log(0.88)]),
      },
      // two labels cannot fit in one frame
      {
        inputs: [f32([0, 0, 0], [1, 1, 3]), i32([1, 2], [1, 2]), i32([1]), i32([2])],
        expected: f32([Number.POSITIVE_INFINITY]),
      },
      {
        inputs: [f32([0, 0], [1, 1, 2]), i32([0], [1, 1]), i32([1]), i32([1])],
        throws: /target 0 is not a class other than the blank/,
      },
    ],
    random: (_dims, rnd) => ctcSample(rnd),
  },
  // the one-frame case: class 1 is occupied with probability 1 (gradient −1), the blank never
  ctcLossGrad: {
    examples: [
      {
        inputs: [f32([Math.log(0.3), Math.log(0.7)], [1, 1, 2]), i32([1], [1, 1]), i32([1]), i32([1])],
        expected: f32([0, -1], [1, 1, 2]),
      },
    ],
    random: (_dims, rnd) => ctcSample(rnd),
  },
};

/** Log-probability-like values [B, 5, C] with label sequences that fit the input lengths. */
function ctcSample(rnd: () => number): Sample {
  const batch = 1 + Math.floor(rnd() * 2);
  const classes = 3 + Math.floor(rnd() * 2);
  const maxLabels = 2;
  const targets: number[] = [];
  const targetLengths: number[] = [];
  const inputLengths: number[] = [];
  for (let b = 0; b < batch; b++) {
    targetLengths.push(Math.floor(rnd() * (maxLabels + 1)));
    for (let l = 0; l < maxLabels; l++) targets.push(1 + Math.floor(rnd() * (classes - 1)));
    inputLengths.push(3 + Math.floor(rnd() * 3));
  }
  return {
    inputs: [
      floats(rnd, [batch, 5, classes], -3, 0),
      i32(targets, [batch, maxLabels]),
      i32(inputLengths),
      i32(targetLengths),
    ],
  };
}
