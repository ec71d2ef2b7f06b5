// Tiny GPT runs for the CLI tests: a small corpus file and the flags that make a run take
// well under a second, and a trained checkpoint made in-process (faster than via the CLI).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { settingsFromFlags } from "../../src/cli/commands/train.js";
import { trainGpt } from "../../src/train/train-language-model.js";

export const CORPUS = "the cat sat on the mat. the dog sat on the log. ".repeat(30);

/** A fresh directory holding corpus.txt. */
export function workspace(): { dir: string; corpus: string } {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-cli-"));
  const corpus = join(dir, "corpus.txt");
  writeFileSync(corpus, CORPUS);
  return { dir, corpus };
}

/** The options of a one-layer GPT with 16-wide embeddings and 16-token blocks, as parsed flags. */
export const TINY_FLAGS = {
  preset: "baby",
  layers: 1,
  heads: 2,
  embd: 16,
  blockSize: 16,
  batchSize: 4,
  evalInterval: 2,
  evalBatches: 2,
};

/**
 * `train MODEL` arguments for a tiny run: `modelFlags` size the model; 16-token blocks,
 * batches of 4, an evaluation of 2 batches every 2 steps.
 */
export function tinyRunFlags(
  model: string,
  modelFlags: readonly string[],
  corpus: string,
  out: string,
  iterations = 4,
): string[] {
  return [
    "train",
    model,
    "--data",
    corpus,
    "--out",
    out,
    "--iters",
    String(iterations),
    ...modelFlags,
    "--block-size",
    "16",
    "--batch-size",
    "4",
    "--eval-interval",
    "2",
    "--eval-batches",
    "2",
  ];
}

/** TINY_FLAGS as `train gpt` arguments. */
export function tinyTrainFlags(corpus: string, out: string, iterations = 4): string[] {
  return tinyRunFlags("gpt", ["--layers", "1", "--heads", "2", "--embd", "16"], corpus, out, iterations);
}

/**
 * The objects `train --json` printed, one per evaluation, after checking that each has
 * exactly an evaluation's fields.
 */
// biome-ignore lint/suspicious/noExplicitAny: each line is whatever JSON the run printed
export function evaluationLines(stdout: string): any[] {
  const lines = stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  for (const line of lines) {
    assert.deepEqual(Object.keys(line), ["iter", "trainLoss", "valLoss", "tokensPerSec", "elapsedMs"]);
  }
  return lines;
}

/** `generate` arguments continuing "the cat" from `run` for `maxTokens` tokens with a seed. */
export function generateFlags(run: string, maxTokens: number, seed: number): string[] {
  return [
    "generate",
    "--checkpoint",
    run,
    "--prompt",
    "the cat",
    "--max-tokens",
    String(maxTokens),
    "--seed",
    String(seed),
  ];
}

/**
 * Trains the tiny GPT (with `changes` to its flags) for `iters` steps in this process (faster
 * than the CLI) and returns its run directory.
 */
export function tinyTrainedRun(
  changes: Partial<typeof TINY_FLAGS> = {},
  iters = 4,
): { dir: string; corpus: string; run: string } {
  const { dir, corpus } = workspace();
  const run = join(dir, "run");
  const flags = { ...TINY_FLAGS, ...changes, data: corpus, iters };
  trainGpt({ settings: settingsFromFlags(flags).settings, out: run });
  return { dir, corpus, run };
}
