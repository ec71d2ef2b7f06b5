// Everything the evaluation of a classifier reports, from true labels and predicted
// probabilities: the per-class table, averages, confusion matrix, AUC, average precision,
// log loss and calibration.
import {
  averagePrecision,
  type ClassificationReport,
  classificationReport,
  expectedCalibrationError,
  logLoss,
  rocAuc,
  rocAucOneVsRest,
} from "../metrics/index.js";
import { argmaxRows } from "./text-classifier.js";

export interface ClassifierEvaluation extends ClassificationReport {
  classes: string[];
  /** F1 of the positive class (class 1) for two classes, else macro F1. */
  f1: number;
  /** AUC of class 1 for two classes, else one-vs-rest macro AUC; NaN if a class is missing. */
  auc: number;
  /** Average precision of class 1 (two classes only). */
  averagePrecision?: number;
  logLoss: number;
  /** Expected calibration error of class 1's probability over 10 bins (two classes only). */
  ece?: number;
  examples: number;
}

function orNaN(f: () => number): number {
  try {
    return f();
  } catch {
    return Number.NaN;
  }
}

export function evaluateClassifier(
  labels: readonly number[],
  probabilities: readonly (readonly number[])[],
  classes: readonly string[],
): ClassifierEvaluation {
  const predicted = argmaxRows(probabilities);
  const report = classificationReport(labels, predicted, classes.length);
  const binary = classes.length === 2;
  const positive = probabilities.map((p) => p[1]!);
  return {
    ...report,
    classes: [...classes],
    f1: binary ? report.perClass[1]!.f1 : report.macro.f1,
    auc: orNaN(() => (binary ? rocAuc(labels, positive) : rocAucOneVsRest(labels, probabilities))),
    ...(binary ? { averagePrecision: orNaN(() => averagePrecision(labels, positive)) } : {}),
    logLoss: logLoss(labels, probabilities),
    ...(binary ? { ece: expectedCalibrationError(labels, positive, 10) } : {}),
    examples: labels.length,
  };
}

const pad = (text: string, width: number) => text.padStart(width);

/** The evaluation as text: the per-class table, averages, the confusion matrix and the scores. */
export function formatEvaluation(e: ClassifierEvaluation): string[] {
  const nameWidth = Math.max(12, ...e.classes.map((c) => c.length));
  const row = (name: string, p: number, r: number, f: number, support: number | string) =>
    `${name.padEnd(nameWidth)} ${pad(p.toFixed(4), 9)} ${pad(r.toFixed(4), 9)} ${pad(f.toFixed(4), 9)} ${pad(String(support), 8)}`;
  const lines = [
    `${"".padEnd(nameWidth)} ${pad("precision", 9)} ${pad("recall", 9)} ${pad("f1", 9)} ${pad("support", 8)}`,
  ];
  e.perClass.forEach((s, c) => {
    lines.push(row(e.classes[c]!, s.precision, s.recall, s.f1, s.support));
  });
  lines.push(row("macro avg", e.macro.precision, e.macro.recall, e.macro.f1, e.examples));
  lines.push(row("weighted avg", e.weighted.precision, e.weighted.recall, e.weighted.f1, e.examples));
  lines.push("", "confusion matrix (rows: true class, columns: predicted)");
  const width = Math.max(
    6,
    ...e.confusion.flat().map((v) => String(v).length + 1),
    ...e.classes.map((c) => c.length + 1),
  );
  lines.push(`${"".padEnd(nameWidth)}${e.classes.map((c) => pad(c, width)).join("")}`);
  e.confusion.forEach((counts, c) => {
    lines.push(`${e.classes[c]!.padEnd(nameWidth)}${counts.map((v) => pad(String(v), width)).join("")}`);
  });
  const scores = [
    `accuracy ${e.accuracy.toFixed(4)}`,
    `F1 ${e.f1.toFixed(4)}${e.classes.length === 2 ? ` (${e.classes[1]})` : " (macro)"}`,
    `AUC ${e.auc.toFixed(4)}`,
    ...(e.averagePrecision === undefined ? [] : [`average precision ${e.averagePrecision.toFixed(4)}`]),
    `log loss ${e.logLoss.toFixed(4)}`,
    ...(e.ece === undefined ? [] : [`ECE ${e.ece.toFixed(4)}`]),
  ];
  lines.push("", scores.join(", "));
  return lines;
}
