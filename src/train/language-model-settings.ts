// The settings every language-model run has, whatever the model: data, batches, the
// learning-rate schedule, evaluations, checkpoints and the seed. A model family adds its
// own (layers, widths, tokenizer) in its settings file (gpt-settings.ts, rnn-settings.ts).
import { AdamW } from "../optim/adamw.js";
import { warmupCosine } from "../optim/schedules/warmup-cosine.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkDistillationSettings, type DistillationSettings } from "./distillation.js";
import { checkValidationFold, type ValidationFold } from "./text-dataset.js";

export interface LanguageModelSettings {
  /** `moby-dick` or a path to a UTF-8 text file. */
  data: string;
  /** Tokens per training block: the context length (a GPT), how far back gradients flow (an RNN). */
  blockSize: number;
  dropout: number;
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
  /** AdamW's decoupled weight decay, on the weight matrices the model family names. */
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
  /**
   * Quantization-aware training: every Linear trains through fake quantization to this many
   * bits (nn/fake-quantize.ts), so `infiniset quantize --bits` loses little afterwards.
   */
  qatBits?: 8 | 4;
  /** Learn from a trained teacher's soft targets as well as the data (distillation.ts). */
  distillation?: DistillationSettings;
}

/** Throws on shared settings no run can use, naming the setting; `positive` adds the family's integer sizes. */
export function checkLanguageModelSettings<S extends LanguageModelSettings>(
  s: S,
  positive: readonly (keyof S & string)[] = [],
): void {
  const counts = [
    ...positive,
    "blockSize",
    "batchSize",
    "iterations",
    "decayIterations",
    "evalInterval",
    "evalBatches",
    "checkpointEvery",
  ] as const;
  for (const key of counts) {
    const value = s[key as keyof S] as unknown as number;
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${key} must be an integer >= 1, got ${value}`);
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
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${s.dropout}`);
  checkValidationFold(s.validationFold);
  if (s.qatBits !== undefined && s.qatBits !== 8 && s.qatBits !== 4)
    throw new Error(`qatBits must be 8 or 4, got ${s.qatBits}`);
  if (s.distillation !== undefined) checkDistillationSettings(s.distillation);
  if (!Array.isArray(s.betas) || s.betas.length !== 2 || !s.betas.every((b) => b >= 0 && b < 1)) {
    throw new Error(`betas must be two numbers in [0, 1), got ${JSON.stringify(s.betas)}`);
  }
}

/**
 * AdamW on a warm-up + cosine schedule, with weight decay on the parameters `decayed` picks
 * (weight matrices) and none on the rest (biases, norms, embeddings), as in the PyTorch
 * references.
 */
export function createLanguageModelOptimizer(
  params: readonly Tensor[],
  decayed: (p: Tensor) => boolean,
  settings: LanguageModelSettings,
): AdamW {
  const lr = warmupCosine({
    warmup: settings.warmup,
    total: settings.decayIterations,
    maxLr: settings.lr,
    minLr: settings.minLr,
  });
  return new AdamW(
    [
      { params: params.filter(decayed), weightDecay: settings.weightDecay },
      { params: params.filter((p) => !decayed(p)), weightDecay: 0 },
    ].filter((group) => group.params.length > 0),
    { lr, betas: settings.betas, eps: 1e-8 },
  );
}
