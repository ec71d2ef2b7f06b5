// Everything that defines a recurrent language model's training run, as one plain JSON
// object, like gpt-settings.ts for the GPT: the presets, the model, tokenizer and optimizer
// built from it, and the form it takes in a checkpoint's config, so a resumed run,
// `generate` and `eval` rebuild exactly what was trained.
import { MOBY_DICK } from "../data/corpus.js";
import { RECURRENT_KINDS, type RecurrentKind, type RnnLmConfig } from "../models/rnn-lm/config.js";
import { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { WordTokenizer } from "../models/rnn-lm/word-tokenizer.js";
import { AdamW } from "../optim/adamw.js";
import { warmupCosine } from "../optim/schedules/warmup-cosine.js";
import { CharTokenizer } from "../text/char-tokenizer.js";
import { checkValidationFold, type ValidationFold } from "./text-dataset.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface RnnTrainingSettings {
  /** `moby-dick` or a path to a UTF-8 text file. */
  data: string;
  kind: RecurrentKind;
  /** Characters, or whitespace-separated words and line breaks. */
  tokenizer: "char" | "word";
  /** The word vocabulary keeps the most frequent words up to this size (word level only). */
  maxVocab: number;
  nLayer: number;
  /** Token embedding width. */
  nEmbd: number;
  /** Recurrent state width. */
  hiddenSize: number;
  /** Tokens per training sequence: how far back gradients flow (truncated backpropagation through time). */
  blockSize: number;
  dropout: number;
  batchSize: number;
  iterations: number;
  /** The peak learning rate, reached after the warm-up. */
  lr: number;
  /** The learning rate at the end of the cosine decay, and after it. */
  minLr: number;
  warmup: number;
  /** The iteration where the cosine decay reaches minLr (stays put when a resumed run gets more iterations). */
  decayIterations: number;
  betas: [number, number];
  /** AdamW's decoupled weight decay, on the weight matrices of the recurrent layers and the head. */
  weightDecay: number;
  /** Clip gradients to this global norm (0: no clipping); recurrent networks need it against exploding gradients. */
  clipNorm: number;
  evalInterval: number;
  evalBatches: number;
  checkpointEvery: number;
  seed: number;
  /** Cross-validation: validate on this fold of the corpus instead of its last 10%. */
  validationFold?: ValidationFold;
}

/**
 * `baby`: a one-layer character model the size of a classic char-rnn, on the data, block,
 * batch and schedule of the baby GPT, with the higher peak learning rate that recurrent
 * networks take.
 */
const BABY: Omit<RnnTrainingSettings, "kind"> = {
  data: MOBY_DICK,
  tokenizer: "char",
  maxVocab: 10_000,
  nLayer: 1,
  nEmbd: 64,
  hiddenSize: 256,
  blockSize: 64,
  dropout: 0,
  batchSize: 12,
  iterations: 2000,
  lr: 3e-3,
  minLr: 3e-4,
  warmup: 100,
  decayIterations: 2000,
  betas: [0.9, 0.99],
  weightDecay: 0,
  clipNorm: 1,
  evalInterval: 250,
  evalBatches: 50,
  checkpointEvery: 250,
  seed: 1337,
};

export const RNN_PRESETS: Readonly<Record<string, Readonly<Omit<RnnTrainingSettings, "kind">>>> = {
  baby: BABY,
};

export function rnnPresetSettings(name: string, kind: RecurrentKind): RnnTrainingSettings {
  const preset = RNN_PRESETS[name];
  if (!preset) {
    throw new Error(`unknown preset "${name}" (available: ${Object.keys(RNN_PRESETS).join(", ")})`);
  }
  return { ...preset, kind, betas: [...preset.betas] };
}

/** Throws on settings no run can use, naming the setting. */
export function checkRnnTrainingSettings(s: RnnTrainingSettings): void {
  if (!RECURRENT_KINDS.includes(s.kind)) {
    throw new Error(`unknown recurrent model "${s.kind}" (available: ${RECURRENT_KINDS.join(", ")})`);
  }
  const positive = [
    "nLayer",
    "nEmbd",
    "hiddenSize",
    "blockSize",
    "batchSize",
    "iterations",
    "decayIterations",
    "evalInterval",
    "evalBatches",
    "checkpointEvery",
  ] as const;
  for (const key of positive) {
    if (!Number.isInteger(s[key]) || s[key] < 1)
      throw new Error(`${key} must be an integer >= 1, got ${s[key]}`);
  }
  if (!Number.isInteger(s.maxVocab) || s.maxVocab < 3)
    throw new Error(`maxVocab must be an integer >= 3, got ${s.maxVocab}`);
  for (const key of ["lr", "minLr", "weightDecay", "clipNorm"] as const) {
    if (!(Number.isFinite(s[key]) && s[key] >= 0))
      throw new Error(`${key} must be a finite number >= 0, got ${s[key]}`);
  }
  if (!Number.isInteger(s.warmup) || s.warmup < 0)
    throw new Error(`warmup must be an integer >= 0, got ${s.warmup}`);
  if (s.warmup >= s.decayIterations) {
    throw new Error(
      `the warm-up (${s.warmup} iterations) must end before the learning-rate decay does (${s.decayIterations})`,
    );
  }
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed >= 2 ** 32) {
    throw new Error(`seed must be an integer in [0, 2^32), got ${s.seed}`);
  }
  if (typeof s.data !== "string" || s.data === "") throw new Error("data must name a corpus or a file");
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${s.dropout}`);
  checkValidationFold(s.validationFold);
  if (!Array.isArray(s.betas) || s.betas.length !== 2 || !s.betas.every((b) => b >= 0 && b < 1)) {
    throw new Error(`betas must be two numbers in [0, 1), got ${JSON.stringify(s.betas)}`);
  }
  if (s.tokenizer !== "char" && s.tokenizer !== "word")
    throw new Error(`unknown tokenizer "${s.tokenizer}" (available: char, word)`);
}

/** A new run's tokenizer, built from its corpus. */
export function rnnTokenizerFor(settings: RnnTrainingSettings, text: string): TextTokenizer {
  return settings.tokenizer === "word"
    ? WordTokenizer.fromCorpus(text, { maxVocab: settings.maxVocab })
    : CharTokenizer.fromCorpus(text);
}

export function rnnLmConfigFor(settings: RnnTrainingSettings, vocabSize: number): RnnLmConfig {
  const { kind, nEmbd, hiddenSize, nLayer, dropout } = settings;
  return { kind, vocabSize, embeddingSize: nEmbd, hiddenSize, numLayers: nLayer, dropout };
}

/**
 * AdamW with weight decay on the weight matrices of the recurrent layers and the head;
 * biases and the embedding are not decayed, as for the GPT.
 */
export function createRnnOptimizer(model: RnnLm, settings: RnnTrainingSettings): AdamW {
  const params = model.parameters();
  const isMatrix = (name: string) => name.startsWith("rnn.weight_") || name === "head.weight";
  const names = new Map(model.namedParameters().map(([name, p]) => [p, name]));
  const decayed = params.filter((p) => isMatrix(names.get(p)!));
  const notDecayed = params.filter((p) => !isMatrix(names.get(p)!));
  const lr = warmupCosine({
    warmup: settings.warmup,
    total: settings.decayIterations,
    maxLr: settings.lr,
    minLr: settings.minLr,
  });
  return new AdamW(
    [
      { params: decayed, weightDecay: settings.weightDecay },
      { params: notDecayed, weightDecay: 0 },
    ].filter((group) => group.params.length > 0),
    { lr, betas: settings.betas, eps: 1e-8 },
  );
}

export function createRnnLm(config: RnnLmConfig, seed: number): RnnLm {
  return new RnnLm(config, { seed });
}
