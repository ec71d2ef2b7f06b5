// The plots of a classifier's evaluation: confusion heatmap, ROC and precision-recall
// curves, calibration curve, and a box plot of K-fold metrics.
import {
  calibrationCurve,
  confusionMatrix,
  precisionRecallCurve,
  rocCurve,
  trapezoid,
} from "../metrics/index.js";
import { type LineSeries, renderBoxPlot, renderHeatmap, renderLineChart } from "./svg-chart.js";

export interface Predictions {
  classes: readonly string[];
  labels: readonly number[];
  probabilities: readonly (readonly number[])[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

function predicted(p: Predictions): number[] {
  return p.probabilities.map((row) => row.indexOf(Math.max(...row)));
}

/** Classes to draw one-vs-rest curves for: the positive class of two, else every class. */
function curveClasses(p: Predictions): number[] {
  return p.classes.length === 2 ? [1] : [...p.classes.keys()];
}

/** Curves over [0, 1]² with the legend bottom right; `diagonal` labels a dashed y = x line. */
function unitSquareChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: LineSeries[],
  diagonal?: string,
): string {
  const reference: LineSeries[] = diagonal
    ? [
        {
          label: diagonal,
          color: "#999999",
          dashed: true,
          points: [
            [0, 0],
            [1, 1],
          ],
        },
      ]
    : [];
  return renderLineChart({
    title,
    xLabel,
    yLabel,
    series: [...series, ...reference],
    xRange: [0, 1],
    yRange: [0, 1],
    legend: "bottom-right",
  });
}

export function confusionHeatmapSvg(p: Predictions, title = "Confusion matrix"): string {
  return renderHeatmap({
    title,
    rowLabels: p.classes,
    columnLabels: p.classes,
    values: confusionMatrix(p.labels, predicted(p), p.classes.length),
    xLabel: "predicted class",
    yLabel: "true class",
  });
}

export function rocSvg(p: Predictions, title = "ROC curve"): string {
  const series: LineSeries[] = curveClasses(p).map((c, i) => {
    const roc = rocCurve(
      p.labels,
      p.probabilities.map((row) => row[c]!),
      c,
    );
    return {
      label: `${p.classes[c]} (AUC ${trapezoid(roc.fpr, roc.tpr).toFixed(4)})`,
      color: COLORS[i % COLORS.length]!,
      points: roc.fpr.map((x, j) => [x, roc.tpr[j]!] as [number, number]),
    };
  });
  return unitSquareChart(title, "false-positive rate", "true-positive rate", series, "chance");
}

export function precisionRecallSvg(p: Predictions, title = "Precision-recall curve"): string {
  const series: LineSeries[] = curveClasses(p).map((c, i) => {
    const pr = precisionRecallCurve(
      p.labels,
      p.probabilities.map((row) => row[c]!),
      c,
    );
    const points = pr.recall.map((r, j) => [r, pr.precision[j]!] as [number, number]).reverse();
    return { label: String(p.classes[c]), color: COLORS[i % COLORS.length]!, points, steps: true };
  });
  return unitSquareChart(title, "recall", "precision", series);
}

export function calibrationSvg(p: Predictions, title = "Calibration curve", bins = 10): string {
  const series: LineSeries[] = curveClasses(p).map((c, i) => {
    const curve = calibrationCurve(
      p.labels.map((y) => (y === c ? 1 : 0)),
      p.probabilities.map((row) => row[c]!),
      { bins },
    );
    return {
      label: String(p.classes[c]),
      color: COLORS[i % COLORS.length]!,
      markers: true,
      points: curve.probPred.map((x, j) => [x, curve.probTrue[j]!] as [number, number]),
    };
  });
  return unitSquareChart(
    title,
    "mean predicted probability (per bin)",
    "fraction of positives",
    series,
    "perfectly calibrated",
  );
}

export function foldsBoxPlotSvg(
  folds: readonly Record<string, number>[],
  metrics: readonly string[],
  title: string,
): string {
  return renderBoxPlot({
    title,
    yLabel: "score per fold",
    groups: metrics.map((m) => ({ label: m, values: folds.map((f) => f[m]!) })),
  });
}
