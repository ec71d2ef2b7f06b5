import assert from "node:assert/strict";
import { test } from "node:test";
import { discountFor, modifiedKneserNeyDiscounts } from "../../../src/models/ngram/discounts.js";

test("discounts follow Chen & Goodman's estimates", () => {
  // n1 = 10, n2 = 5, n3 = 3, n4 = 2:
  //   Y   = 10 / (10 + 2·5)           = 0.5
  //   D1  = 1 − 2·0.5·5/10            = 0.5
  //   D2  = 2 − 3·0.5·3/5             = 1.1
  //   D3+ = 3 − 4·0.5·2/3 = 3 − 4/3   = 1.6666…
  const d = modifiedKneserNeyDiscounts(10, 5, 3, 2);
  assert.equal(d.fallback, false);
  assert.ok(Math.abs(d.d1 - 0.5) < 1e-12);
  assert.ok(Math.abs(d.d2 - 1.1) < 1e-12);
  assert.ok(Math.abs(d.d3plus - 5 / 3) < 1e-12);
  assert.equal(discountFor(d, 0), 0);
  assert.equal(discountFor(d, 1), d.d1);
  assert.equal(discountFor(d, 2), d.d2);
  assert.equal(discountFor(d, 7), d.d3plus);
});

test("degenerate counts-of-counts fall back to KenLM's discounts for the whole order", () => {
  const degenerate: [number, number, number, number][] = [
    [0, 0, 0, 0], // nothing seen: Y = 0/0
    [3, 1, 0, 0], // n3 = 0: D3+ divides by zero
    [1, 0, 2, 2], // n2 = 0: D2 divides by zero
  ];
  for (const n of degenerate) {
    assert.deepEqual(modifiedKneserNeyDiscounts(...n), { d1: 0.5, d2: 1, d3plus: 1.5, fallback: true });
  }
  // Out of range, not only non-finite: D2 = 2 − 3·(1/3)·100/1 < 0.
  assert.equal(modifiedKneserNeyDiscounts(1, 1, 100, 1).fallback, true);
  assert.deepEqual(modifiedKneserNeyDiscounts(0, 0, 0, 0, [0.1, 0.2, 0.3]), {
    d1: 0.1,
    d2: 0.2,
    d3plus: 0.3,
    fallback: true,
  });
});
