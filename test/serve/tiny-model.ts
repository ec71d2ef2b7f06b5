// A tiny GPT built in the test (random weights, seeded), its char tokenizer, and helpers to
// run a real server on a loopback port.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gpt, type GptConfig } from "../../src/models/gpt/index.js";
import { servedGpt } from "../../src/serve/checkpoint-model.js";
import type { ServedModel } from "../../src/serve/engine.js";
import { type RunningServer, type StartServerOptions, startServer } from "../../src/serve/server.js";
import { CharTokenizer } from "../../src/text/char-tokenizer.js";
import { writeCheckpoint } from "../../src/train/checkpoint.js";

export const ALPHABET = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:;!?'\n0123456789";
export const MODEL_ID = "tiny";

export function tinyTokenizer(): CharTokenizer {
  return CharTokenizer.fromCorpus(ALPHABET);
}

export function tinyGpt(blockSize = 256, seed = 7): Gpt {
  const config: GptConfig = {
    vocabSize: tinyTokenizer().vocabSize,
    blockSize,
    nLayer: 2,
    nHead: 2,
    nEmbd: 32,
    dropout: 0,
    bias: true,
  };
  const model = new Gpt(config, { seed });
  model.eval();
  return model;
}

export function tinyServedModel(blockSize = 256): ServedModel {
  return servedGpt(tinyGpt(blockSize), tinyTokenizer(), MODEL_ID);
}

/** A server on a free loopback port, ready to answer. */
export async function tinyServer(options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  const server = await startServer({ port: 0, load: () => tinyServedModel(), slots: 4, ...options });
  await server.ready;
  return server;
}

/** The tiny model written as a checkpoint directory, as `infiniset train` would leave it. */
export function writeTinyCheckpoint(): string {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-serve-"));
  const model = tinyGpt();
  writeCheckpoint(join(dir, MODEL_ID), {
    config: {
      format: "infiniset-checkpoint",
      version: 1,
      model: { type: "gpt", config: { ...model.config } },
      tokenizer: tinyTokenizer().toJSON(),
      training: {},
    },
    weights: model.stateDict(),
    optimizer: {},
    state: { iter: 1, elapsedMs: 0, rng: {}, callbacks: {} },
  });
  return join(dir, MODEL_ID);
}

/** The id of a character in the tiny vocabulary. */
export function charId(char: string): number {
  return tinyTokenizer().encode(char)[0]!;
}
