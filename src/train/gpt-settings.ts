// Everything that defines a GPT training run, as one plain JSON object: the presets, the
// model and optimizer built from it, and the form it takes in a checkpoint's config, so a
// resumed run, `generate` and `eval` rebuild exactly what was trained.
import { MOBY_DICK } from "../data/corpus.js";
import type { GptConfig } from "../models/gpt/config.js";
import { Gpt } from "../models/gpt/gpt.js";
import { Linear } from "../nn/linear.js";
import { AdamW } from "../optim/adamw.js";
import { warmupCosine } from "../optim/schedules/warmup-cosine.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkValidationFold, type ValidationFold } from "./text-dataset.js";

export interface GptTrainingSettings {
  /** `moby-dick` or a path to a UTF-8 text file. */
  data: string;
  tokenizer: "char";
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  dropout: number;
  bias: boolean;
  batchSize: number;
  iterations: number;
  /** The peak learning rate, reached after the warm-up. */
  lr: number;
  /** The learning rate at the end of the cosine decay, and after it. */
  minLr: number;
  /** Iterations of linear warm-up. */
  warmup: number;
  /**
   * The iteration where the cosine decay reaches minLr: normally the run's length. It stays
   * put when a resumed run is given more iterations, which then continue at minLr.
   */
  decayIterations: number;
  betas: [number, number];
  /** AdamW's decoupled weight decay, on the weight matrices of Linear layers only. */
  weightDecay: number;
  /** Clip gradients to this global norm (0: no clipping). */
  clipNorm: number;
  evalInterval: number;
  evalBatches: number;
  /** Save a checkpoint every this many iterations (and after the last). */
  checkpointEvery: number;
  seed: number;
  /** Cross-validation: validate on this fold of the corpus instead of its last 10%. */
  validationFold?: ValidationFold;
}

/**
 * `baby`: the known CPU baseline of issue 5, which PyTorch trains to a validation loss of
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
  const positive = [
    "nLayer",
    "nHead",
    "nEmbd",
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
  if (s.nEmbd % s.nHead !== 0) {
    throw new Error(`the embedding size ${s.nEmbd} must be a multiple of the number of heads ${s.nHead}`);
  }
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
  if (typeof s.bias !== "boolean") throw new Error(`bias must be true or false, got ${s.bias}`);
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${s.dropout}`);
  checkValidationFold(s.validationFold);
  if (!Array.isArray(s.betas) || s.betas.length !== 2 || !s.betas.every((b) => b >= 0 && b < 1)) {
    throw new Error(`betas must be two numbers in [0, 1), got ${JSON.stringify(s.betas)}`);
  }
  if (s.tokenizer !== "char") throw new Error(`unknown tokenizer "${s.tokenizer}" (available: char)`);
}

export function gptConfigFor(settings: GptTrainingSettings, vocabSize: number): GptConfig {
  const { blockSize, nLayer, nHead, nEmbd, dropout, bias } = settings;
  return { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias };
}

/**
 * AdamW with weight decay on the weight matrices of Linear layers only: biases, LayerNorms
 * and both embeddings (the token embedding is also the tied output head) are not decayed,
 * as in the PyTorch reference.
 */
export function createGptOptimizer(model: Gpt, settings: GptTrainingSettings): AdamW {
  const linearWeights = new Set<Tensor>();
  for (const [, module] of model.namedModules())
    if (module instanceof Linear) linearWeights.add(module.weight);
  const params = model.parameters();
  const decayed = params.filter((p) => linearWeights.has(p));
  const notDecayed = params.filter((p) => !linearWeights.has(p));
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

export function createGpt(config: GptConfig, seed: number): Gpt {
  return new Gpt(config, { seed });
}
