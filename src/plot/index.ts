/** SVG charts: line charts, heatmaps, box plots, the plots of a classifier's evaluation, attention alignments. */

export * from "./alignment-plot.js";
export * from "./attention-svg.js";
export * from "./evaluation-plots.js";
export * from "./svg-chart.js";
