/** Evaluation metrics: classification, ranking, probabilities, translation, cross-validation. */
export * from "./bleu.js";
export * from "./bootstrap.js";
export * from "./chrf.js";
export * from "./classification.js";
export * from "./cross-validation.js";
export * from "./detection.js";
export type { Labels } from "./labels.js";
export * from "./probabilistic.js";
export * from "./ranking.js";
