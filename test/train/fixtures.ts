// Small corpora and option sets shared by the training tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CharTokenizer } from "../../src/text/char-tokenizer.js";
import { prepareTextDataset, type TextDataset } from "../../src/train/text-dataset.js";

/** A repetitive text that a bigram model learns quickly. */
export const TINY_TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(12);

export function tinyDataset(blockSize = 8): TextDataset {
  const tokenizer = CharTokenizer.fromCorpus(TINY_TEXT);
  return prepareTextDataset({ source: "tiny", text: TINY_TEXT }, tokenizer, { blockSize });
}

export function temporaryDirectory(prefix = "infiniset-train-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The schedule of the tiny language-model runs: 4 steps on batches of 4 blocks of 16
 * tokens, one warm-up step, an evaluation of 2 batches and a checkpoint every 2 steps.
 */
export const TINY_SCHEDULE = {
  blockSize: 16,
  batchSize: 4,
  iterations: 4,
  decayIterations: 4,
  warmup: 1,
  evalInterval: 2,
  evalBatches: 2,
  checkpointEvery: 2,
};
