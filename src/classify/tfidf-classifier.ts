// Naive Bayes and logistic regression over TF-IDF features, as one TextClassifier.
import { join } from "node:path";
import { readSafetensorsFile, writeSafetensorsFile } from "../formats/safetensors-file.js";
import type { SparseRows } from "../text/tfidf.js";
import { type LinearWeights, linearScores, probabilitiesFromScores } from "./linear-model.js";
import { fitLogisticRegression, type LogisticRegressionOptions } from "./logistic-regression.js";
import { fitNaiveBayes, type NaiveBayesOptions } from "./naive-bayes.js";
import { sparseTensors } from "./sparse-tensors.js";
import type { TextClassifier } from "./text-classifier.js";
import { type TextFeatureOptions, TextFeatures } from "./text-features.js";

const WEIGHTS_FILE = "weights.safetensors";

export interface TfidfTrainingOptions extends NaiveBayesOptions, LogisticRegressionOptions {
  features: TextFeatureOptions;
}

// Several TF-IDF models trained on the same texts (an ensemble's members, on each fold)
// share one fit of the features and one transform of each text set: both are remembered
// per array of texts, for as long as that array lives.
const fits = new WeakMap<readonly string[], Map<string, { features: TextFeatures; rows: SparseRows }>>();
const transforms = new WeakMap<TextFeatures, WeakMap<readonly string[], SparseRows>>();

function fittedFeatures(texts: readonly string[], options: TextFeatureOptions) {
  const key = JSON.stringify(options);
  const byOptions = fits.get(texts) ?? new Map();
  fits.set(texts, byOptions);
  let fit = byOptions.get(key);
  if (!fit) {
    const features = TextFeatures.create(options);
    fit = { features, rows: features.fitTransform(texts) };
    byOptions.set(key, fit);
  }
  return fit;
}

function transformed(features: TextFeatures, texts: readonly string[]): SparseRows {
  const byTexts = transforms.get(features) ?? new WeakMap();
  transforms.set(features, byTexts);
  let rows = byTexts.get(texts);
  if (!rows) {
    rows = features.transform(texts);
    byTexts.set(texts, rows);
  }
  return rows;
}

export class TfidfClassifier implements TextClassifier {
  constructor(
    readonly kind: "nb" | "logreg",
    readonly classes: readonly string[],
    readonly features: TextFeatures,
    readonly weights: LinearWeights,
    /** What fitting reported (L-BFGS iterations and convergence for logreg). */
    readonly fitInfo: Record<string, unknown> = {},
  ) {}

  static train(
    kind: "nb" | "logreg",
    texts: readonly string[],
    labels: readonly number[],
    classes: readonly string[],
    options: TfidfTrainingOptions,
  ): TfidfClassifier {
    const { features, rows } = fittedFeatures(texts, options.features);
    return TfidfClassifier.trainOnRows(kind, features, rows, labels, classes, options);
  }

  /** Trains on rows already computed by `features` (fitted), e.g. one fold of a training set. */
  static trainOnRows(
    kind: "nb" | "logreg",
    features: TextFeatures,
    rows: SparseRows,
    labels: readonly number[],
    classes: readonly string[],
    options: NaiveBayesOptions & LogisticRegressionOptions,
  ): TfidfClassifier {
    const x = sparseTensors(rows);
    if (kind === "nb")
      return new TfidfClassifier(kind, classes, features, fitNaiveBayes(x, labels, classes.length, options));
    const fit = fitLogisticRegression(x, labels, classes.length, options);
    const { iterations, converged, message } = fit.optimizer;
    return new TfidfClassifier(kind, classes, features, fit.weights, { iterations, converged, message });
  }

  predictProba(texts: readonly string[]): number[][] {
    if (texts.length === 0) return [];
    return this.predictRows(transformed(this.features, texts));
  }

  /** Probabilities of rows already computed by this classifier's features. */
  predictRows(rows: SparseRows): number[][] {
    return probabilitiesFromScores(linearScores(sparseTensors(rows), this.weights));
  }

  save(dir: string): Record<string, unknown> {
    const { weights, bias, features, outputs } = this.weights;
    writeSafetensorsFile(join(dir, WEIGHTS_FILE), {
      weights: { dtype: "F32", shape: [features, outputs], data: Float32Array.from(weights) },
      bias: { dtype: "F32", shape: [outputs], data: Float32Array.from(bias) },
    });
    return { features: this.features.toJSON(), fit: this.fitInfo };
  }

  static load(
    dir: string,
    kind: "nb" | "logreg",
    classes: readonly string[],
    config: Record<string, unknown>,
  ) {
    const { tensors } = readSafetensorsFile(join(dir, WEIGHTS_FILE));
    const weights = tensors.get("weights");
    const bias = tensors.get("bias");
    if (!weights || !bias || weights.shape.length !== 2) {
      throw new Error(`${join(dir, WEIGHTS_FILE)} lacks the weights [features, outputs] and bias`);
    }
    const features = TextFeatures.fromJSON(config.features as Parameters<typeof TextFeatures.fromJSON>[0]);
    if (features.size !== weights.shape[0]) {
      throw new Error(`${dir}: ${features.size} features but weights for ${weights.shape[0]}`);
    }
    return new TfidfClassifier(kind, classes, features, {
      weights: weights.data as Float32Array,
      bias: bias.data as Float32Array,
      features: weights.shape[0]!,
      outputs: weights.shape[1]!,
    });
  }
}
