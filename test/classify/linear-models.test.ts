// Naive Bayes and logistic regression on the sparseMatmul path against scikit-learn's
// MultinomialNB and LogisticRegression on the same TF-IDF rows.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { linearScores, probabilitiesFromScores } from "../../src/classify/linear-model.js";
import { fitLogisticRegression } from "../../src/classify/logistic-regression.js";
import { fitNaiveBayes } from "../../src/classify/naive-bayes.js";
import { sparseTensors } from "../../src/classify/sparse-tensors.js";
import { TfidfVectorizer } from "../../src/text/tfidf.js";

const fixtures = JSON.parse(
  readFileSync(new URL("../../../test/classify/fixtures/sklearn.json", import.meta.url), "utf8"),
);

function closeRows(actual: number[][], expected: number[][], tolerance: number, what: string) {
  actual.forEach((row, r) => {
    row.forEach((p, c) => {
      assert.ok(
        Math.abs(p - expected[r]![c]!) <= tolerance,
        `${what}: row ${r} class ${c}: ${p} vs ${expected[r]![c]}`,
      );
    });
  });
}

describe(`linear text models against scikit-learn ${fixtures.sklearn}`, () => {
  const v = new TfidfVectorizer({ analyzer: "word", ngramRange: [1, 2] });
  const train = sparseTensors(v.fitTransform(fixtures.train));
  const test = sparseTensors(v.transform(fixtures.test));

  it("multinomial naive Bayes: log θ, priors and test probabilities", () => {
    const nb = fitNaiveBayes(train, fixtures.labels, 2, { alpha: fixtures.nb.alpha });
    const terms = v.toJSON().terms;
    assert.equal(nb.features, terms.length);
    for (let c = 0; c < 2; c++) {
      assert.ok(Math.abs(nb.bias[c]! - fixtures.nb.classLogPrior[c]) < 1e-6);
      for (let f = 0; f < terms.length; f++) {
        // both sort terms the same way for this text (no characters beyond U+D7FF but the emoji)
        assert.ok(
          Math.abs(nb.weights[f * 2 + c]! - fixtures.nb.featureLogProb[c][f]) < 1e-5,
          `log θ of "${terms[f]}"`,
        );
      }
    }
    closeRows(probabilitiesFromScores(linearScores(test, nb)), fixtures.nb.testProba, 1e-5, "probabilities");
  });

  it("binary logistic regression converges to scikit-learn's solution", () => {
    const fit = fitLogisticRegression(train, fixtures.labels, 2, { C: fixtures.logreg.C, tolerance: 1e-5 });
    assert.ok(fit.optimizer.converged, fit.optimizer.message);
    assert.ok(
      Math.abs(fit.weights.bias[0]! - fixtures.logreg.intercept) < 1e-3,
      `intercept ${fit.weights.bias[0]}`,
    );
    fixtures.logreg.coef.forEach((w: number, f: number) => {
      assert.ok(
        Math.abs(fit.weights.weights[f]! - w) < 1e-3,
        `weight ${f}: ${fit.weights.weights[f]} vs ${w}`,
      );
    });
    closeRows(
      probabilitiesFromScores(linearScores(test, fit.weights)),
      fixtures.logreg.testProba,
      1e-4,
      "probabilities",
    );
  });

  it("three classes: one logit per class, softmax", () => {
    const fit = fitLogisticRegression(train, fixtures.logreg3.labels, 3, { C: 10, tolerance: 1e-5 });
    assert.equal(fit.weights.outputs, 3);
    closeRows(
      probabilitiesFromScores(linearScores(test, fit.weights)),
      fixtures.logreg3.testProba,
      1e-3,
      "probabilities",
    );
  });

  it("rejects bad settings", () => {
    assert.throws(() => fitNaiveBayes(train, fixtures.labels, 2, { alpha: 0 }), /alpha must be > 0/);
    assert.throws(() => fitLogisticRegression(train, fixtures.labels, 2, { C: -1 }), /C must be > 0/);
  });
});
