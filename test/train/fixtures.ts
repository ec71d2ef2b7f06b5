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
