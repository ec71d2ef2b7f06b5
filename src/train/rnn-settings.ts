// Everything that defines a recurrent language model's training run, as one plain JSON
// object, like gpt-settings.ts for the GPT: the presets, the model, tokenizer and optimizer
// built from it, and the form it takes in a checkpoint's config, so a resumed run,
// `generate` and `eval` rebuild exactly what was trained.
import { MOBY_DICK } from "../data/corpus.js";
import {
  RECURRENT_KINDS,
  type RecurrentKind,
  type RnnLmConfig,
  validateRnnLmConfig,
} from "../models/rnn-lm/config.js";
import { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { WordTokenizer } from "../models/rnn-lm/word-tokenizer.js";
import { CharTokenizer } from "../text/char-tokenizer.js";
import type { LanguageModelFamily } from "./language-model-family.js";
import { checkLanguageModelSettings, type LanguageModelSettings } from "./language-model-settings.js";

export interface RnnTrainingSettings extends LanguageModelSettings {
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
  checkLanguageModelSettings(s, ["nLayer", "nEmbd", "hiddenSize"]);
  if (!Number.isInteger(s.maxVocab) || s.maxVocab < 3)
    throw new Error(`maxVocab must be an integer >= 3, got ${s.maxVocab}`);
  if (s.tokenizer !== "char" && s.tokenizer !== "word")
    throw new Error(`unknown tokenizer "${s.tokenizer}" (available: char, word)`);
}

export function rnnLmConfigFor(settings: RnnTrainingSettings, vocabSize: number): RnnLmConfig {
  const { kind, nEmbd, hiddenSize, nLayer, dropout } = settings;
  return { kind, vocabSize, embeddingSize: nEmbd, hiddenSize, numLayers: nLayer, dropout };
}

const NAMES: Record<RecurrentKind, string> = { rnn: "an RNN", lstm: "an LSTM", gru: "a GRU" };
const TITLES: Record<RecurrentKind, string> = { rnn: "RNN (tanh)", lstm: "LSTM", gru: "GRU" };

/**
 * Recurrent language models (RNN, LSTM, GRU) as a language-model family. AdamW decays the
 * weight matrices of the recurrent layers and the head; biases and the embedding are not
 * decayed, as for the GPT.
 */
export const RNN_FAMILY: LanguageModelFamily<RnnTrainingSettings, RnnLm> = {
  types: RECURRENT_KINDS,
  title: "a recurrent LM (rnn, lstm, gru)",
  nameOf: (type) => NAMES[type as RecurrentKind] ?? "a recurrent language model",
  typeOf: (settings) => settings.kind,
  check: checkRnnTrainingSettings,
  tokenizerFor: (settings, text) =>
    settings.tokenizer === "word"
      ? WordTokenizer.fromCorpus(text, { maxVocab: settings.maxVocab })
      : CharTokenizer.fromCorpus(text),
  configFor: rnnLmConfigFor,
  create: (config, type, seed) => {
    const valid = validateRnnLmConfig(config);
    if (valid.kind !== type) {
      throw new Error(`its model type "${type}" differs from its config's kind "${valid.kind}"`);
    }
    return new RnnLm(valid, seed === undefined ? {} : { seed });
  },
  logits: (model, ids) => model.forward(ids).logits,
  decays: (model) => {
    const names = new Map(model.namedParameters().map(([name, p]) => [p, name]));
    return (p) => {
      const name = names.get(p)!;
      return name.startsWith("rnn.weight_") || name === "head.weight";
    };
  },
  blockSize: (_model, config) => {
    const blockSize = config.training.blockSize;
    if (typeof blockSize !== "number" || !Number.isInteger(blockSize) || blockSize < 1) {
      throw new Error("its training settings have no blockSize");
    }
    return blockSize;
  },
  describe: (s) =>
    `${TITLES[s.kind]}: ${s.nLayer} layers, embedding ${s.nEmbd}, hidden ${s.hiddenSize}, block ${s.blockSize}`,
};
