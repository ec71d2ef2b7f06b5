/** SVG charts: line charts, heatmaps, box plots, and the plots of a classifier's evaluation. */

export * from "./attention-svg.js";
export * from "./evaluation-plots.js";
export * from "./svg-chart.js";
