// The settings of a classifier run, for every kind of model (each reads its own).
import type { Augmentation } from "../text/augment.js";
import { DEFAULT_FEATURES, type TextFeatureOptions } from "./text-features.js";

export interface ClassifierSettings {
  features: TextFeatureOptions;
  /** Logistic regression's inverse regularisation. */
  C: number;
  /** Naive Bayes smoothing. */
  alpha: number;
  seed: number;
  /** Neural models: passes over the training data. */
  epochs?: number;
  /** Neural models: tokens kept per text. */
  maxTokens?: number;
  /** Neural models: a GPT checkpoint to fine-tune. */
  gptCheckpoint?: string;
  /** Add one augmented copy of each training text per method. */
  augment?: Augmentation[];
}

export const DEFAULT_SETTINGS: ClassifierSettings = {
  features: DEFAULT_FEATURES,
  C: 10,
  alpha: 0.01,
  seed: 0,
};
