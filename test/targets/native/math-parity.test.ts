import assert from "node:assert/strict";
import { test } from "node:test";
import { getTarget, type Tensor, tensor, withTarget } from "../../../src/index.js";
import { nativeAvailability } from "../../../src/targets/native/availability.js";

/**
 * The native prelude implements the wasm kernels' semantics operation for operation, so
 * on the same inputs the two targets agree bit for bit: the exp/tanh/erf approximations,
 * JavaScript's max/min (NaN, ±0), int32 wrap-around and division by zero, saturating
 * float→int32 casts, float→bool, pow's NaN cases.
 */
const skip = nativeAvailability().available
  ? false
  : `native target unavailable: ${nativeAvailability().reason}`;

const special = [0, -0, 1e-30, -1e-30, 1e-6, 0.5, -0.5, 1, -1, 88, 89, -88, -90, -104, 1e30, -1e30];
const floats = [
  ...Array.from({ length: 2001 }, (_, i) => -100 + i * 0.1),
  ...special,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
];

function bits(t: () => Tensor, target: string): number[] {
  return withTarget(getTarget(target), () => {
    const out = t().dataSync();
    if (!(out instanceof Float32Array)) return Array.from(out);
    // NaNs compare as NaN: their sign and payload are not part of either target's semantics.
    const raw = new Uint32Array(out.buffer, out.byteOffset, out.length);
    return Array.from(out, (v, i) => (Number.isNaN(v) ? -1 : raw[i]!));
  });
}

test("native and wasm agree bit for bit on transcendental functions and special values", { skip }, () => {
  const x = tensor(floats);
  const y = tensor([...floats].reverse());
  const ints = tensor([0, 1, -1, 7, -7, 2147483647, -2147483648, 3, -3, 100, 0, 5], { dtype: "int32" });
  const intsB = tensor([0, 0, 0, 2, -2, -1, -1, 0, 5, -7, 3, 1], { dtype: "int32" });
  // Negative values, with rows 3 and 4 all zeros (mixed signs; row 4 all −0, except column
  // 2), and NaNs in row 5 and in column 30.
  const zerosAndNaNs = tensor(
    Array.from({ length: 40 * 37 }, (_, k) => {
      const [i, j] = [Math.floor(k / 37), k % 37];
      if (j === 30 && i % 9 === 8) return Number.NaN;
      if (i === 3) return (i * 7 + j * 13) % 3 === 0 ? 0 : -0;
      if (i === 4) return j === 2 ? 0 : -0;
      if (i === 5 && j === 11) return Number.NaN;
      return -(((i * 7 + j * 13) % 50) + 1) / 8;
    }),
  ).reshape([40, 37]);
  const cases: Record<string, () => Tensor> = {
    exp: () => x.exp(),
    tanh: () => x.tanh(),
    erf: () => x.erf(),
    gelu: () => x.gelu(),
    sigmoid: () => x.sigmoid(),
    log: () => x.log(),
    sin: () => x.sin(),
    pow: () => x.pow(y),
    powOne: () =>
      tensor([1, -1, 1, 2]).pow(
        tensor([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]),
      ),
    maximum: () => x.maximum(y),
    minimum: () => x.minimum(y),
    signedZeros: () =>
      tensor([0, -0, -0, 0])
        .maximum(tensor([-0, 0, -0, 0]))
        .add(tensor([0, -0, -0, 0]).minimum(tensor([-0, 0, -0, 0]))),
    // reductions: along rows (contiguous) and across them (strided), vector paths and tails
    maxRows: () => zerosAndNaNs.max(1),
    maxColumns: () => zerosAndNaNs.max(0),
    minRows: () => zerosAndNaNs.neg().min(1),
    minColumns: () => zerosAndNaNs.neg().min(0),
    maxOfAll: () => zerosAndNaNs.slice([6, 0]).max(),
    toInt: () => x.mul(3e7).cast("int32"),
    toBool: () => x.cast("bool"),
    intDiv: () => ints.div(intsB),
    intWrap: () => ints.mul(intsB).add(ints).sub(intsB.mul(ints)).neg().abs(),
  };
  for (const [name, build] of Object.entries(cases)) {
    assert.deepEqual(bits(build, "native"), bits(build, "wasm"), name);
  }
});
