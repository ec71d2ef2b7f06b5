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
    toInt: () => x.mul(3e7).cast("int32"),
    toBool: () => x.cast("bool"),
    intDiv: () => ints.div(intsB),
    intWrap: () => ints.mul(intsB).add(ints).sub(intsB.mul(ints)).neg().abs(),
  };
  for (const [name, build] of Object.entries(cases)) {
    assert.deepEqual(bits(build, "native"), bits(build, "wasm"), name);
  }
});
