// The validation loss of a trained language model on a corpus: the mean cross-entropy over
// random blocks of the corpus's last 10% (the part a run on that corpus held out), and its
// perplexity, e to the loss. Any model `fit` can train works: GPTs and recurrent LMs.
import type { Corpus } from "../data/corpus.js";
import { SeededRng } from "../random/seeded-rng.js";
import { estimateLoss, type TrainableLanguageModel } from "./fit.js";
import { prepareTextDataset } from "./text-dataset.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface EvaluateOptions {
  batches: number;
  batchSize: number;
  seed: number;
}

export interface Evaluation {
  valLoss: number;
  perplexity: number;
  /** Tokens in the validation part. */
  validationTokens: number;
}

/** What evaluating needs of a loaded model: the model, its tokenizer and the block length to score. */
export interface EvaluableModel {
  model: TrainableLanguageModel;
  tokenizer: TextTokenizer;
  blockSize: number;
}

export function evaluateLanguageModel(
  loaded: EvaluableModel,
  corpus: Corpus,
  options: EvaluateOptions,
): Evaluation {
  const { blockSize } = loaded;
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
