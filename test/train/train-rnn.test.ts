import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCorpus } from "../../src/data/corpus.js";
import type { TrainingCallback } from "../../src/train/callbacks.js";
import { readCheckpoint } from "../../src/train/checkpoint.js";
import { evaluateLanguageModel } from "../../src/train/evaluate-language-model.js";
import { generateText } from "../../src/train/generate-text.js";
import { presetSettings } from "../../src/train/gpt-settings.js";
import { loadLanguageModelCheckpoint } from "../../src/train/language-model-checkpoint.js";
import { type RnnTrainingSettings, rnnPresetSettings } from "../../src/train/rnn-settings.js";
import { trainGpt, trainRnnLm } from "../../src/train/train-language-model.js";
import { readTrainingLog } from "../../src/train/training-log.js";
import { TINY_SCHEDULE, temporaryDirectory } from "./fixtures.js";

const dir = temporaryDirectory("infiniset-rnn-");
const corpus = join(dir, "corpus.txt");
writeFileSync(corpus, "the cat sat on the mat.\nthe dog sat on the log.\n".repeat(30));

const tiny = (
  kind: RnnTrainingSettings["kind"],
  changes: Partial<RnnTrainingSettings> = {},
): RnnTrainingSettings => ({
  ...rnnPresetSettings("baby", kind),
  data: corpus,
  nEmbd: 8,
  hiddenSize: 16,
  ...TINY_SCHEDULE,
  ...changes,
});

const losses = (run: string) =>
  readTrainingLog(join(run, "log.jsonl")).flatMap((r) => (r.type === "step" ? [r.loss] : []));

test("an LSTM run killed after its checkpoint resumes to the same losses and weights", () => {
  const settings = tiny("lstm", { dropout: 0.1 });
  const straight = join(dir, "straight");
  const result = trainRnnLm({ settings, out: straight });
  assert.equal(result.iter, 4);
  assert.ok(Number.isFinite(result.lastEvaluation!.valLoss));
  const saved = readCheckpoint(straight);
  assert.equal(saved.config.model.type, "lstm");
  assert.deepEqual(saved.config.model.config, {
    kind: "lstm",
    vocabSize: result.tokenizer.vocabSize,
    embeddingSize: 8,
    hiddenSize: 16,
    numLayers: 1,
    dropout: 0.1,
  });

  const resumed = join(dir, "resumed");
  const kill: TrainingCallback = {
    onCheckpoint: ({ iter }) => {
      if (iter === 2) throw new Error("killed");
    },
  };
  assert.throws(() => trainRnnLm({ settings, out: resumed, callbacks: [kill] }), /killed/);
  assert.throws(
    () => trainRnnLm({ settings, out: resumed }),
    /already holds a training run \(step-000002\); pass --resume/,
  );
  assert.throws(
    () =>
      trainRnnLm({
        settings: { ...settings, hiddenSize: 32 },
        explicit: ["hiddenSize"],
        out: resumed,
        resume: true,
      }),
    /cannot resume with hiddenSize 32: the run in .* uses 16/,
  );
  assert.throws(
    () => trainRnnLm({ settings: tiny("gru"), out: resumed, resume: true }),
    /step-000002 holds a "lstm" model, not a GRU$/,
  );
  trainRnnLm({ settings, out: resumed, resume: true });
  assert.deepEqual(losses(resumed), losses(straight));
  assert.deepEqual(
    readFileSync(join(resumed, "step-000004", "model.safetensors")),
    readFileSync(join(straight, "step-000004", "model.safetensors")),
  );
});

test("trained GRU and GPT checkpoints load through one function for generation and evaluation", () => {
  const gruRun = join(dir, "gru");
  trainRnnLm({ settings: tiny("gru"), out: gruRun });
  const gptRun = join(dir, "gpt");
  trainGpt({
    settings: {
      ...presetSettings("baby"),
      data: corpus,
      nLayer: 1,
      nHead: 2,
      nEmbd: 16,
      blockSize: 16,
      batchSize: 4,
      iterations: 2,
      decayIterations: 2,
      warmup: 1,
      evalInterval: 2,
      evalBatches: 2,
      checkpointEvery: 2,
    },
    out: gptRun,
  });
  for (const run of [gruRun, gptRun]) {
    const loaded = loadLanguageModelCheckpoint(run);
    assert.equal(loaded.blockSize, 16);
    const options = { maxTokens: 20, seed: 4 };
    const text = generateText(loaded, "the ", options);
    assert.equal([...text].length, 20);
    assert.equal(generateText(loaded, "the ", options), text);
    const { valLoss, perplexity, validationTokens } = evaluateLanguageModel(loaded, loadCorpus(corpus), {
      batches: 2,
      batchSize: 4,
      seed: 0,
    });
    assert.ok(Number.isFinite(valLoss) && valLoss > 0);
    assert.equal(perplexity, Math.exp(valLoss));
    assert.equal(validationTokens, 144);
  }
  assert.equal(loadLanguageModelCheckpoint(gruRun).config.model.type, "gru");
});

test("a word-level RNN keeps its word vocabulary in the checkpoint and generates words", () => {
  const run = join(dir, "words");
  const result = trainRnnLm({ settings: tiny("rnn", { tokenizer: "word", blockSize: 4 }), out: run });
  // <unk>, the line break and the 7 distinct words of the corpus.
  assert.equal(result.tokenizer.vocabSize, 9);
  const loaded = loadLanguageModelCheckpoint(run);
  const text = generateText(loaded, "the cat", { maxTokens: 6, seed: 1 });
  const words = text.split(/\s+/).filter((w) => w !== "");
  assert.ok(
    words.length >= 1 && words.every((w) => /^(the|cat|sat|on|mat\.|dog|log\.|<unk>)$/.test(w)),
    text,
  );
  assert.throws(
    () => trainRnnLm({ settings: tiny("rnn", { tokenizer: "word", blockSize: 100 }), out: join(dir, "w2") }),
    /block size 100 is too large for .*corpus\.txt: its validation part has 42 tokens and a block needs 101/,
  );
});
