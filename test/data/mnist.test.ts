import assert from "node:assert/strict";
import { test } from "node:test";
import { loadMnist, mnistSplit } from "../../src/data/mnist.js";

test("MNIST: 10,000 digits in package order and the standard split of shared/data-splits.md", () => {
  const digits = loadMnist();
  assert.equal(digits.count, 10000);
  assert.deepEqual([digits.channels, digits.height, digits.width], [1, 28, 28]);
  const perClass = (ids: readonly number[]) =>
    digits.classes.map((_, c) => ids.filter((i) => digits.labels[i] === c).length);
  const all = Array.from({ length: digits.count }, (_, i) => i);
  assert.deepEqual(perClass(all), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  const { train, test: held } = mnistSplit(digits.labels);
  assert.equal(held.length, 2000);
  assert.equal(train.length, 8000);
  assert.deepEqual(perClass(held), [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]);
  assert.deepEqual(held.slice(0, 12), [3, 8, 13, 17, 21, 26, 30, 34, 35, 36, 44, 58]);
  assert.equal(new Set([...train, ...held]).size, 10000);
  const values = digits.data.subarray(0, 784);
  assert.ok(values.every((v) => v >= 0 && v <= 1) && values.some((v) => v > 0.9));
});
