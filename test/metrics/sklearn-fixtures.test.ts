// Every metric against the values scikit-learn computed for the same inputs
// (fixtures/make_sklearn_fixtures.py wrote fixtures/sklearn.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  accuracy,
  averagePrecision,
  calibrationCurve,
  classificationReport,
  confusionMatrix,
  expectedCalibrationError,
  f1Score,
  kFold,
  logLoss,
  precisionRecallCurve,
  rocAuc,
  rocAucOneVsRest,
  rocCurve,
  stratifiedKFold,
} from "../../src/metrics/index.js";

const fixtures = JSON.parse(
  readFileSync(new URL("../../../test/metrics/fixtures/sklearn.json", import.meta.url), "utf8"),
);

function close(actual: number, expected: number, what: string, tolerance = 1e-12) {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs scikit-learn's ${expected}`,
  );
}

function closeArrays(actual: readonly number[], expected: readonly number[], what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((v, i) => {
    close(v, expected[i]!, `${what}[${i}]`);
  });
}

interface Prfs {
  perClass: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  macro: Record<string, number>;
  micro: Record<string, number>;
  weighted: Record<string, number>;
}

function checkReport(yTrue: number[], yPred: number[], classes: number, expected: Prfs) {
  const report = classificationReport(yTrue, yPred, classes);
  for (const key of ["precision", "recall", "f1", "support"] as const) {
    closeArrays(
      report.perClass.map((c) => c[key]),
      expected.perClass[key],
      `per-class ${key}`,
    );
  }
  for (const average of ["macro", "micro", "weighted"] as const) {
    for (const key of ["precision", "recall", "f1"] as const) {
      close(report[average][key], expected[average][key]!, `${average} ${key}`);
    }
  }
}

describe(`metrics against scikit-learn ${fixtures.sklearn}`, () => {
  const b = fixtures.binary;
  const m = fixtures.multiclass;

  it("accuracy and confusion matrices", () => {
    close(accuracy(b.yTrue, b.yPred), b.accuracy, "binary accuracy");
    assert.deepEqual(confusionMatrix(b.yTrue, b.yPred), b.confusion);
    close(accuracy(m.yTrue, m.yPred), m.accuracy, "multiclass accuracy");
    assert.deepEqual(confusionMatrix(m.yTrue, m.yPred, 4), m.confusion);
  });

  it("precision, recall and F1: per class, macro, micro, weighted (a class never predicted counts 0)", () => {
    checkReport(b.yTrue, b.yPred, 2, b.prfs);
    checkReport(m.yTrue, m.yPred, 4, m.prfs);
    close(f1Score(b.yTrue, b.yPred), b.binaryF1, "binary F1");
    close(f1Score(m.yTrue, m.yPred, { average: "macro" }), m.prfs.macro.f1, "macro F1");
  });

  it("ROC curve (ties, dropped collinear points) and AUC", () => {
    const roc = rocCurve(b.yTrue, b.score);
    closeArrays(roc.fpr, b.roc.fpr, "fpr");
    closeArrays(roc.tpr, b.roc.tpr, "tpr");
    closeArrays(roc.thresholds.slice(1), b.roc.thresholds, "thresholds");
    assert.equal(roc.thresholds[0], Number.POSITIVE_INFINITY);
    close(rocAuc(b.yTrue, b.score), b.rocAuc, "AUC");
  });

  it("one-vs-rest AUC, macro and weighted", () => {
    close(rocAucOneVsRest(m.yTrue, m.prob, "macro"), m.rocAucOvrMacro, "macro AUC");
    close(rocAucOneVsRest(m.yTrue, m.prob, "weighted"), m.rocAucOvrWeighted, "weighted AUC");
  });

  it("precision-recall curve and average precision", () => {
    const pr = precisionRecallCurve(b.yTrue, b.score);
    closeArrays(pr.precision, b.pr.precision, "precision");
    closeArrays(pr.recall, b.pr.recall, "recall");
    closeArrays(pr.thresholds, b.pr.thresholds, "thresholds");
    close(averagePrecision(b.yTrue, b.score), b.averagePrecision, "average precision");
  });

  it("log loss, binary and multi-class", () => {
    const clipped = b.score.map((p: number) => Math.min(1 - 1e-3, Math.max(1e-3, p)));
    close(logLoss(b.yTrue, clipped), b.logLoss, "binary log loss");
    close(logLoss(m.yTrue, m.prob), m.logLoss, "multi-class log loss", 1e-9);
  });

  it("calibration curves (uniform and quantile bins) and expected calibration error", () => {
    const uniform = calibrationCurve(b.yTrue, b.score, { bins: 10 });
    closeArrays(uniform.probTrue, b.calibrationUniform.probTrue, "uniform probTrue");
    closeArrays(uniform.probPred, b.calibrationUniform.probPred, "uniform probPred");
    const quantile = calibrationCurve(b.yTrue, b.score, { bins: 5, strategy: "quantile" });
    closeArrays(quantile.probTrue, b.calibrationQuantile.probTrue, "quantile probTrue");
    closeArrays(quantile.probPred, b.calibrationQuantile.probPred, "quantile probPred");
    close(expectedCalibrationError(b.yTrue, b.score, 10), b.ece10, "ECE");
  });

  it("KFold and StratifiedKFold test folds, unshuffled", () => {
    const f = fixtures.folds;
    assert.deepEqual(
      kFold(f.n, f.k).map((fold) => fold.test),
      f.kfold,
    );
    assert.deepEqual(
      stratifiedKFold(f.labels, f.k).map((fold) => fold.test),
      f.stratified,
    );
  });
});
