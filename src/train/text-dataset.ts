// A corpus made ready for next-token training: tokenized, split by position into the first
// part for training and the rest for validation, and checked against the block size so
// that a corpus too small for it fails here, with sizes, not deep in the first batch.
import { type BlockBatch, sampleBlockBatch } from "../data/block-batches.js";
import type { Corpus } from "../data/corpus.js";
import { splitFold, splitTrainValidation } from "../data/split.js";
import type { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface TextDataset {
  /** Where the text came from (`moby-dick` or a path). */
  source: string;
  tokenizer: TextTokenizer;
  train: Int32Array;
  validation: Int32Array;
}

export interface TextDatasetOptions {
  /** Tokens per training example; both splits need at least blockSize + 1 tokens. */
  blockSize: number;
  /** The share of tokens, from the start, used for training. Default 0.9. */
  trainFraction?: number;
  /** Cross-validation: validate on this fold of the corpus and train on the others, instead. */
  validationFold?: ValidationFold;
}

/** Fold `index` (from 0) of `count` contiguous parts of the corpus. */
export interface ValidationFold {
  index: number;
  count: number;
}

/** Throws unless `fold` is absent or a fold (a run's settings may name one). */
export function checkValidationFold(fold: unknown): void {
  if (fold === undefined) return;
  const { index, count } = (fold ?? {}) as Partial<ValidationFold>;
  if (
    !(Number.isInteger(count) && count! >= 2 && Number.isInteger(index) && index! >= 0 && index! < count!)
  ) {
    throw new Error(
      `validationFold must be { index, count } with 0 <= index < count and count >= 2, got ${JSON.stringify(fold)}`,
    );
  }
}

/** Tokenizes and splits a corpus for training with blocks of `blockSize` tokens. */
export function prepareTextDataset(
  corpus: Corpus,
  tokenizer: TextTokenizer,
  options: TextDatasetOptions,
): TextDataset {
  const { blockSize, trainFraction = 0.9 } = options;
  const tokens = tokenizer.encode(corpus.text);
  const needed = blockSize + 1;
  // Each part needs a whole block plus the target of its last token.
  if (tokens.length < 2 * needed) {
    throw new Error(
      `block size ${blockSize} is too large for ${corpus.source}: it has ${tokens.length} tokens, and its ` +
        `training and validation parts need at least ${needed} each (use a smaller --block-size or more text)`,
    );
  }
  const { train, validation } = options.validationFold
    ? splitFold(tokens, options.validationFold.index, options.validationFold.count)
    : splitTrainValidation(tokens, trainFraction);
  for (const [name, part] of [
    ["training", train],
    ["validation", validation],
  ] as const) {
    if (part.length < needed) {
      throw new Error(
        `block size ${blockSize} is too large for ${corpus.source}: its ${name} part has ${part.length} tokens ` +
          `and a block needs ${needed} (use a smaller --block-size or more text)`,
      );
    }
  }
  return { source: corpus.source, tokenizer, train, validation };
}

/** A batch as the int32 tensors a language model's `loss(ids, targets)` takes, [batch, block]. */
export interface BatchTensors {
  ids: Tensor;
  targets: Tensor;
}

export function batchToTensors(batch: BlockBatch): BatchTensors {
  return {
    ids: tensor(batch.x, batch.shape, { dtype: "int32" }),
    targets: tensor(batch.y, batch.shape, { dtype: "int32" }),
  };
}

/** Draws a random batch of contiguous blocks from `tokens` as tensors. */
export function sampleBatchTensors(
  tokens: Int32Array,
  batchSize: number,
  blockSize: number,
  rng: SeededRng,
): BatchTensors {
  return batchToTensors(sampleBlockBatch(tokens, { batchSize, blockSize }, rng));
}
