// A classifier checkpoint is a directory: config.json (format, kind, classes, the model's
// own config and the training settings), the model's weight files, and evaluation.json
// (the held-out labels and probabilities, from which `infiniset eval` and `plot` report).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import { isNeuralKind, loadNeuralClassifier } from "./neural-classifier.js";
import type { TextClassifier } from "./text-classifier.js";
import { TfidfClassifier } from "./tfidf-classifier.js";

export const CLASSIFIER_FORMAT = "infiniset-classifier";
const CONFIG_FILE = "config.json";
export const EVALUATION_FILE = "evaluation.json";

export interface ClassifierConfig {
  format: typeof CLASSIFIER_FORMAT;
  version: 1;
  kind: string;
  classes: string[];
  model: Record<string, unknown>;
  training: Record<string, unknown>;
}

/** Held-out predictions, enough to recompute every metric and draw every plot. */
export interface HeldOutPredictions {
  classes: string[];
  labels: number[];
  probabilities: number[][];
  /** Which examples (ids) they are. */
  ids?: string[];
}

/** Loaders of the kinds that are not TF-IDF models, registered by their modules. */
const loaders = new Map<string, (dir: string, config: ClassifierConfig) => TextClassifier>();

export function registerClassifierLoader(
  kind: string,
  load: (dir: string, config: ClassifierConfig) => TextClassifier,
) {
  loaders.set(kind, load);
}

export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value)}\n`);
}

/** Saves a trained classifier (weights first, config last, so a config names complete files). */
export function writeClassifierCheckpoint(
  dir: string,
  classifier: TextClassifier,
  training: Record<string, unknown>,
  heldOut?: HeldOutPredictions,
): void {
  mkdirSync(dir, { recursive: true });
  const model = classifier.save(dir);
  if (heldOut) writeJsonFile(join(dir, EVALUATION_FILE), heldOut);
  const config: ClassifierConfig = {
    format: CLASSIFIER_FORMAT,
    version: 1,
    kind: classifier.kind,
    classes: [...classifier.classes],
    model,
    training,
  };
  writeJsonFile(join(dir, CONFIG_FILE), config);
}

/** The config of a classifier checkpoint, or undefined if `dir` holds another kind of checkpoint. */
export function readClassifierConfig(dir: string): ClassifierConfig | undefined {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  let config: Partial<ClassifierConfig>;
  try {
    config = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new Error(`${path} is not valid JSON (the checkpoint is corrupt)`);
  }
  if (config?.format !== CLASSIFIER_FORMAT) return undefined;
  if (typeof config.kind !== "string" || !Array.isArray(config.classes) || typeof config.model !== "object") {
    throw new Error(`${path} lacks the kind, classes or model of a classifier`);
  }
  return config as ClassifierConfig;
}

export function loadClassifier(dir: string): {
  classifier: TextClassifier;
  config: ClassifierConfig;
  path: string;
} {
  const path = resolve(dir);
  const config = readClassifierConfig(path);
  if (!config)
    throw new Error(
      `${dir} is not a classifier checkpoint (no ${CONFIG_FILE} of format ${CLASSIFIER_FORMAT})`,
    );
  if (config.kind === "nb" || config.kind === "logreg") {
    return {
      classifier: TfidfClassifier.load(path, config.kind, config.classes, config.model),
      config,
      path,
    };
  }
  if (!isNeuralKind(config.kind)) throw new Error(`${dir}: unknown classifier kind "${config.kind}"`);
  return { classifier: loadNeuralClassifier(config.kind, path, config), config, path };
}

export function readHeldOut(dir: string): HeldOutPredictions {
  const path = existsSync(join(dir, EVALUATION_FILE)) ? join(dir, EVALUATION_FILE) : dir;
  let value: Partial<HeldOutPredictions>;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!Array.isArray(value.labels) || !Array.isArray(value.probabilities) || !Array.isArray(value.classes)) {
    throw new Error(`${path} is not an evaluation file (labels, probabilities, classes)`);
  }
  return value as HeldOutPredictions;
}
