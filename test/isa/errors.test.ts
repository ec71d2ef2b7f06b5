import assert from "node:assert/strict";
import { test } from "node:test";
import { crossEntropy, embedding, rand, randn, tensor, zeros } from "../../src/index.js";
import * as isa from "../../src/isa/index.js";

// Bad input gives a clear error naming the instruction and the shapes, never a silent answer.

const x23 = () => zeros([2, 3]);

test("mismatched shapes name the instruction and both shapes", () => {
  assert.throws(
    () => x23().matmul(zeros([4, 5])),
    /^InstructionError: matmul: inner dimensions differ: \[2,3\] @ \[4,5\]$/,
  );
  assert.throws(() => x23().add(zeros([4])), /add: cannot broadcast \[2,3\] and \[4\]/);
  assert.throws(() => x23().reshape([4]), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4\] \(4\)/);
  assert.throws(() => x23().expand([3, 3]), /expand: cannot broadcast \[2,3\] to \[3,3\]/);
  assert.throws(
    () => zeros([2, 2, 3]).matmul(zeros([3, 3, 2])),
    /matmul: batch dimensions do not broadcast: \[2,2,3\] @ \[3,3,2\]/,
  );
});

test("wrong dtypes are refused with the dtypes named", () => {
  const ints = tensor([1, 2], { dtype: "int32" });
  assert.throws(() => ints.exp(), /exp: expects float32, got int32/);
  assert.throws(() => zeros([2]).add(ints), /add: dtypes differ: float32 and int32 \(cast one\)/);
  assert.throws(() => zeros([2]).gather(zeros([1])), /gather: indices must be int32, got float32/);
  assert.throws(() => crossEntropy(zeros([2, 3]), zeros([2])), /crossEntropy: targets must be int32/);
  assert.throws(() => tensor([1.5], { dtype: "int32" }), /1.5 is not an integer/);
});

test("out-of-range axes and indices fail", () => {
  assert.throws(() => x23().sum(2), /sum: axis 2 is out of range for rank 2/);
  assert.throws(() => x23().softmax(-3), /softmax: axis -3 is out of range for rank 2/);
  assert.throws(() => x23().permute([0, 0]), /permute: \[0,0\] is not a permutation/);
  assert.throws(() => x23().slice([0, 4]), /slice: start 4 is out of range for axis 1/);
  assert.throws(() => x23().slice([0, 0], undefined, [1, 0]), /slice: step 0 on axis 1 must be ≥ 1/);
  assert.throws(
    () =>
      zeros([3, 2])
        .gather(tensor([0, 3], { dtype: "int32" }))
        .dataSync(),
    /gather: index 3 is out of range for axis 0 of size 3/,
  );
  const gatherTwice = () =>
    zeros([3, 2])
      .gather(tensor([0, 3], { dtype: "int32" }))
      .dataSync();
  assert.throws(gatherTwice, /gather: index 3 is out of range/, "a compiled program fails again");
  assert.throws(
    () =>
      zeros([3, 2])
        .scatterAdd(tensor([5], { dtype: "int32" }), zeros([1, 2]))
        .dataSync(),
    /scatterAdd: index 5 is out of range for axis 0 of size 3/,
  );
  assert.deepEqual(
    [
      ...tensor([1, 2, 3, 4, 5, 6], [3, 2])
        .gather(tensor([2, 0], { dtype: "int32" }))
        .dataSync(),
    ],
    [5, 6, 1, 2],
    "and runs after a failure",
  );
  assert.throws(() => embedding(zeros([3, 2]), tensor([-1], { dtype: "int32" })).dataSync(), /out of range/);
  assert.throws(
    () => crossEntropy(zeros([2, 3]), tensor([0, 7], { dtype: "int32" })).dataSync(),
    /target 7 at position 1 is outside \[0, 3\)/,
  );
});

test("non-finite and out-of-range seeds are refused", () => {
  assert.throws(() => rand([2], { seed: Number.NaN }), /rand: a seed is an integer in \[0, 2\^32\), got NaN/);
  assert.throws(() => randn([2], { seed: Number.POSITIVE_INFINITY }), /randn: a seed is an integer/);
  assert.throws(() => rand([2], { seed: 1.5 }), /a seed is an integer/);
  assert.throws(() => rand([2], { seed: -1 }), /a seed is an integer/);
});

test("attributes are checked by name and kind", () => {
  const n = x23().node;
  assert.throws(
    () => isa.sum(n, { axis: [0] } as never),
    /sum: unknown attribute "axis" \(known: axes, keepdims\)/,
  );
  assert.throws(() => isa.reshape(n, {} as never), /reshape: missing attribute "shape" \(ints\)/);
  assert.throws(() => isa.sum(n, { axes: "0" } as never), /sum: attribute "axes" must be ints, got "0"/);
  assert.throws(() => isa.exp(n, n), /exp: expects 1 operand, got 2/);
});

test("malformed tensor data is refused", () => {
  assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array at \[1\]: expected 2 elements, got 1/);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2,2\]/);
  assert.throws(() => zeros([2, -1]), /full: a shape is a list of non-negative integers/);
});
