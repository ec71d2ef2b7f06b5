// Everything that defines a GPT training run, as one plain JSON object: the presets, the
// model and optimizer built from it, and the form it takes in a checkpoint's config, so a
// resumed run, `generate` and `eval` rebuild exactly what was trained.
import { MOBY_DICK } from "../data/corpus.js";
import { type GptConfig, validateGptConfig } from "../models/gpt/config.js";
import { Gpt } from "../models/gpt/gpt.js";
import { Linear } from "../nn/linear.js";
import type { Tensor } from "../tensor/tensor.js";
import { CharTokenizer } from "../text/char-tokenizer.js";
import type { LanguageModelFamily } from "./language-model-family.js";
import { checkLanguageModelSettings, type LanguageModelSettings } from "./language-model-settings.js";

export interface GptTrainingSettings extends LanguageModelSettings {
  tokenizer: "char";
  nLayer: number;
  nHead: number;
  nEmbd: number;
  bias: boolean;
}

/**
 * `baby`: the known CPU baseline, which PyTorch trains to a validation loss of
 * 1.84 (bench/pytorch/train_gpt_baby.py is the same run written for PyTorch).
 */
const BABY: GptTrainingSettings = {
  data: MOBY_DICK,
  tokenizer: "char",
  nLayer: 4,
  nHead: 4,
  nEmbd: 128,
  blockSize: 64,
  dropout: 0,
  bias: true,
  batchSize: 12,
  iterations: 2000,
  lr: 1e-3,
  minLr: 1e-4,
  warmup: 100,
  decayIterations: 2000,
  betas: [0.9, 0.99],
  weightDecay: 0.1,
  clipNorm: 1,
  evalInterval: 250,
  evalBatches: 50,
  checkpointEvery: 250,
  seed: 1337,
};

/**
 * `small`: the scale of nanoGPT's Shakespeare character baseline (6 layers, 6 heads,
 * embedding 384, block 256, dropout 0.2, AdamW 1e-3 → 1e-4 over 5000 steps, β₂ 0.99), at
 * batch 12 (nanoGPT's is 64) so that a step fits a few CPU cores: ~10.8 M parameters,
 * 3,072 tokens a step, where matrix products dominate.
 */
const SMALL: GptTrainingSettings = {
  ...BABY,
  nLayer: 6,
  nHead: 6,
  nEmbd: 384,
  blockSize: 256,
  dropout: 0.2,
  iterations: 5000,
  decayIterations: 5000,
  betas: [0.9, 0.99],
  evalInterval: 500,
  evalBatches: 20,
  checkpointEvery: 500,
};

export const GPT_PRESETS: Readonly<Record<string, Readonly<GptTrainingSettings>>> = {
  baby: BABY,
  small: SMALL,
};

export function presetSettings(name: string): GptTrainingSettings {
  const preset = GPT_PRESETS[name];
  if (!preset) {
    throw new Error(`unknown preset "${name}" (available: ${Object.keys(GPT_PRESETS).join(", ")})`);
  }
  return { ...preset, betas: [...preset.betas] };
}

/** Throws on settings no run can use, naming the setting. */
export function checkGptTrainingSettings(s: GptTrainingSettings): void {
  checkLanguageModelSettings(s, ["nLayer", "nHead", "nEmbd"]);
  if (s.nEmbd % s.nHead !== 0) {
    throw new Error(`the embedding size ${s.nEmbd} must be a multiple of the number of heads ${s.nHead}`);
  }
  if (typeof s.bias !== "boolean") throw new Error(`bias must be true or false, got ${s.bias}`);
  if (s.tokenizer !== "char") throw new Error(`unknown tokenizer "${s.tokenizer}" (available: char)`);
}

export function gptConfigFor(settings: GptTrainingSettings, vocabSize: number): GptConfig {
  const { blockSize, nLayer, nHead, nEmbd, dropout, bias } = settings;
  return { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias };
}

/**
 * The GPT as a language-model family. AdamW decays the weight matrices of Linear layers
 * only: biases, LayerNorms and both embeddings (the token embedding is also the tied output
 * head) are not decayed, as in the PyTorch reference.
 */
export const GPT_FAMILY: LanguageModelFamily<GptTrainingSettings, Gpt> = {
  types: ["gpt"],
  title: "a GPT",
  nameOf: () => "a GPT",
  typeOf: () => "gpt",
  check: checkGptTrainingSettings,
  tokenizerFor: (_settings, text) => CharTokenizer.fromCorpus(text),
  configFor: gptConfigFor,
  create: (config, _type, seed) => new Gpt(validateGptConfig(config), seed === undefined ? {} : { seed }),
  logits: (model, ids) => model.forward(ids),
  decays: (model) => {
    const linearWeights = new Set<Tensor>();
    for (const [, module] of model.namedModules())
      if (module instanceof Linear) linearWeights.add(module.weight);
    return (p) => linearWeights.has(p);
  },
  blockSize: (model) => model.config.blockSize,
  describe: (s) => `GPT: ${s.nLayer} layers, ${s.nHead} heads, embedding ${s.nEmbd}, block ${s.blockSize}`,
};
