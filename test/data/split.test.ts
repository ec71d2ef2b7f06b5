import assert from "node:assert/strict";
import { test } from "node:test";
import { splitFold, splitTrainValidation } from "../../src/data/split.js";

const tokens = Int32Array.from({ length: 100 }, (_, i) => i);

test("the first 90% is for training and the last 10% for validation by default", () => {
  const { train, validation } = splitTrainValidation(tokens);
  assert.equal(train.length, 90);
  assert.equal(validation.length, 10);
  assert.equal(train[89], 89);
  assert.equal(validation[0], 90);
  // Views, not copies.
  assert.equal(train.buffer, tokens.buffer);
});

test("a custom fraction splits at the rounded position", () => {
  const { train, validation } = splitTrainValidation(tokens.subarray(0, 10), 0.75);
  assert.deepEqual([...train], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...validation], [8, 9]);
});

test("bad fractions and data too small to split give clear errors", () => {
  for (const fraction of [0, 1, -0.5, Number.NaN]) {
    assert.throws(() => splitTrainValidation(tokens, fraction), /trainFraction must be in \(0, 1\)/);
  }
  assert.throws(() => splitTrainValidation(Int32Array.of(1, 2, 3)), /3 tokens are too few/);
});

test("splitFold: the folds are contiguous parts covering the tokens once; each trains on the rest, in order", () => {
  const tokens = Int32Array.from({ length: 10 }, (_, i) => i);
  const folds = [0, 1, 2].map((i) => splitFold(tokens, i, 3));
  assert.deepEqual(
    folds.map((f) => [...f.validation]),
    [
      [0, 1, 2],
      [3, 4, 5, 6],
      [7, 8, 9],
    ],
  );
  assert.deepEqual([...folds[1]!.train], [0, 1, 2, 7, 8, 9]);
  assert.throws(() => splitFold(tokens, 3, 3), /fold 3 of 3 is not a fold/);
  assert.throws(() => splitFold(tokens, 0, 1), /fold 0 of 1/);
});
