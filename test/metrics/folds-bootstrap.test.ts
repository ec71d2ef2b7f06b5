import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accuracy,
  bootstrapInterval,
  crossValidate,
  formatMeanStd,
  kFold,
  meanStd,
  stratifiedKFold,
} from "../../src/metrics/index.js";

describe("folds", () => {
  it("shuffled k-fold: every example is tested exactly once, folds differ by at most one", () => {
    const folds = kFold(23, 4, { seed: 7 });
    const tested = folds.flatMap((f) => f.test).sort((a, b) => a - b);
    assert.deepEqual(tested, [...Array(23).keys()]);
    const sizes = folds.map((f) => f.test.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    for (const f of folds) assert.equal(f.train.length + f.test.length, 23);
    assert.notDeepEqual(folds[0]!.test, [0, 1, 2, 3, 4, 5], "shuffled");
    assert.deepEqual(kFold(23, 4, { seed: 7 }), folds, "same seed, same folds");
  });

  it("shuffled stratified k-fold keeps each class's share in every fold", () => {
    const labels = [...Array(100).keys()].map((i) => (i % 10 < 3 ? 1 : 0));
    for (const fold of stratifiedKFold(labels, 5, { seed: 3 })) {
      assert.equal(fold.test.filter((i) => labels[i] === 1).length, 6);
      assert.equal(fold.test.length, 20);
    }
  });

  it("explains what cannot be split", () => {
    assert.throws(() => kFold(3, 5), /cannot split 3 examples into 5 folds/);
    assert.throws(() => kFold(10, 1), /k must be an integer ≥ 2/);
    assert.throws(() => stratifiedKFold([0, 0, 1], 3), /no class has 3 examples/);
  });

  it("cross-validation summarises each metric as mean ± sample standard deviation", () => {
    const { summary } = crossValidate(kFold(6, 3), (_, i) => ({ score: [1, 2, 3][i]! }));
    assert.equal(summary.score.mean, 2);
    assert.equal(summary.score.std, 1);
    assert.equal(formatMeanStd(summary.score, 2), "2.00 ± 1.00");
    assert.equal(meanStd([5]).std, 0);
  });
});

describe("bootstrap", () => {
  it("an interval around the estimate that narrows with more data", () => {
    const make = (n: number) => {
      const yTrue = [...Array(n).keys()].map((i) => i % 2);
      const yPred = yTrue.map((y, i) => (i % 5 === 0 ? 1 - y : y)); // 80% right
      return (idx: readonly number[]) =>
        accuracy(
          idx.map((i) => yTrue[i]!),
          idx.map((i) => yPred[i]!),
        );
    };
    const small = bootstrapInterval(50, make(50), { samples: 500, seed: 1 });
    const large = bootstrapInterval(2000, make(2000), { samples: 500, seed: 1 });
    assert.equal(small.estimate, 0.8);
    assert.ok(small.low < 0.8 && small.high > 0.8, JSON.stringify(small));
    assert.ok(large.low <= large.estimate && large.estimate <= large.high);
    assert.ok(large.high - large.low < (small.high - small.low) / 3, "about 1/sqrt(40) as wide");
    // 95% binomial interval half-width ≈ 1.96·sqrt(0.16/2000) ≈ 0.0175
    assert.ok(Math.abs((large.high - large.low) / 2 - 0.0175) < 0.006, JSON.stringify(large));
  });
});
