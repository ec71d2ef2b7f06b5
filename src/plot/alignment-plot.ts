import { renderHeatmap } from "./svg-chart.js";

/**
 * An encoder–decoder's attention as a heatmap: one row per output token, one column per
 * source token, each cell the weight that output token gave that source token.
 */
export function renderAlignment(options: {
  sourceTokens: readonly string[];
  targetTokens: readonly string[];
  /** [target token][source token], rows summing to 1. */
  weights: readonly ArrayLike<number>[];
  title?: string;
}): string {
  const show = (token: string) => (token.trim() === "" ? `"${token}"` : token.trim());
  return renderHeatmap({
    title: options.title ?? "attention: output token ↔ source token",
    rowLabels: options.targetTokens.map(show),
    columnLabels: options.sourceTokens.map(show),
    values: options.weights.map((row) => Array.from(row).slice(0, options.sourceTokens.length)),
    xLabel: "source",
    yLabel: "output",
    formatValue: (v) => (v < 0.005 ? "" : v.toFixed(2)),
    verticalColumnLabels: true,
  });
}
