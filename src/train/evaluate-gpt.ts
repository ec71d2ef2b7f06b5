// The validation loss of a trained GPT on a corpus: the mean cross-entropy over random
// blocks of the corpus's last 10% (the part a run on that corpus held out), and its
// perplexity, e to the loss.
import type { Corpus } from "../data/corpus.js";
import { SeededRng } from "../random/seeded-rng.js";
import { estimateLoss } from "./fit.js";
import type { LoadedGpt } from "./gpt-checkpoint.js";
import { prepareTextDataset } from "./text-dataset.js";

export interface EvaluateGptOptions {
  batches: number;
  batchSize: number;
  seed: number;
}

export interface GptEvaluation {
  valLoss: number;
  perplexity: number;
  /** Tokens in the validation part. */
  validationTokens: number;
}

export function evaluateGpt(loaded: LoadedGpt, corpus: Corpus, options: EvaluateGptOptions): GptEvaluation {
  const blockSize = loaded.model.config.blockSize;
  let validation: Int32Array;
  try {
    validation = prepareTextDataset(corpus, loaded.tokenizer, { blockSize }).validation;
  } catch (error) {
    throw new Error(`cannot evaluate on ${corpus.source}: ${(error as Error).message}`, { cause: error });
  }
  const valLoss = estimateLoss(loaded.model, validation, {
    batches: options.batches,
    batchSize: options.batchSize,
    blockSize,
    rng: new SeededRng(options.seed),
  });
  return { valLoss, perplexity: Math.exp(valLoss), validationTokens: validation.length };
}
