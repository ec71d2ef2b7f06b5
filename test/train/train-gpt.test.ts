import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { compileCount } from "../../src/compiler/compile.js";
import type { TrainingCallback } from "../../src/train/callbacks.js";
import { readCheckpoint, writeCheckpoint } from "../../src/train/checkpoint.js";
import { evaluateLanguageModel } from "../../src/train/evaluate-language-model.js";
import { generateText } from "../../src/train/generate-text.js";
import { loadGptCheckpoint } from "../../src/train/gpt-checkpoint.js";
import {
  checkGptTrainingSettings,
  type GptTrainingSettings,
  presetSettings,
} from "../../src/train/gpt-settings.js";
import { trainGpt } from "../../src/train/train-language-model.js";
import { TINY_SCHEDULE, temporaryDirectory } from "./fixtures.js";

const dir = temporaryDirectory("infiniset-gpt-");
const corpus = join(dir, "corpus.txt");
const text = "the cat sat on the mat. the dog sat on the log. ".repeat(30);
writeFileSync(corpus, text);

const tiny: GptTrainingSettings = {
  ...presetSettings("baby"),
  data: corpus,
  nLayer: 1,
  nHead: 2,
  nEmbd: 16,
  ...TINY_SCHEDULE,
  dropout: 0.1,
};

test("the baby preset is the issue's baseline", () => {
  const baby = presetSettings("baby");
  assert.deepEqual(baby, {
    data: "moby-dick",
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
  });
  assert.throws(() => presetSettings("giant"), /unknown preset "giant" \(available: baby, small\)/);
  assert.throws(
    () => checkGptTrainingSettings({ ...baby, warmup: 2000 }),
    /warm-up \(2000 iterations\) must end before/,
  );
  assert.throws(
    () => checkGptTrainingSettings({ ...baby, betas: [0.9, 1] }),
    /betas must be two numbers in \[0, 1\)/,
  );
});

test("a GPT run killed after a checkpoint resumes to the same losses, dropout included", () => {
  // Each step builds a graph of the same structure, so only the first one compiles.
  const compiles: number[] = [];
  const countCompiles: TrainingCallback = { onStep: () => void compiles.push(compileCount()) };
  const straight = trainGpt({ settings: tiny, out: join(dir, "straight"), callbacks: [countCompiles] });
  assert.deepEqual(compiles.slice(1), compiles.slice(0, -1));
  const out = join(dir, "killed");
  const kill: TrainingCallback = {
    onCheckpoint: ({ iter }) => {
      if (iter === 2) throw new Error("killed");
    },
  };
  assert.throws(() => trainGpt({ settings: tiny, out, callbacks: [kill] }), /killed/);
  assert.throws(
    () => trainGpt({ settings: tiny, out }),
    /already holds a training run \(step-000002\); pass --resume/,
  );
  assert.throws(
    () => trainGpt({ settings: { ...tiny, nEmbd: 32 }, explicit: ["nEmbd"], out, resume: true }),
    /cannot resume with nEmbd 32: the run in .* uses 16, and a resumed run keeps its settings/,
  );
  const resumed = trainGpt({ settings: tiny, explicit: ["iterations", "data"], out, resume: true });
  assert.deepEqual(
    resumed.stepLosses.map((s) => s.iter),
    [3, 4],
  );
  assert.deepEqual(resumed.stepLosses, straight.stepLosses.slice(2));
  assert.deepEqual(
    readCheckpoint(out).weights.get("wte.weight")!.dataSync(),
    straight.model.wte.weight.dataSync(),
  );
  // Asking for more iterations goes on from there; the schedule stays where it was.
  const longer = trainGpt({
    settings: { ...tiny, iterations: 5 },
    explicit: ["iterations"],
    out,
    resume: true,
  });
  assert.equal(longer.iter, 5);
  assert.equal(longer.settings.decayIterations, 4);
  assert.equal(readCheckpoint(out).config.training.iterations, 5);
});

test("a trained GPT generates deterministically per seed and evaluates to a finite loss", () => {
  const out = join(dir, "straight");
  const loaded = loadGptCheckpoint(out);
  assert.equal(loaded.model.training, false);
  const pieces: string[] = [];
  const generated = generateText(loaded, "the ", {
    maxTokens: 12,
    seed: 5,
    write: (piece) => pieces.push(piece),
  });
  assert.equal(generated.length, 12);
  assert.deepEqual(pieces, ["the ", ...generated]);
  assert.equal(generateText(loaded, "the ", { maxTokens: 12, seed: 5 }), generated);
  const { valLoss, perplexity, validationTokens } = evaluateLanguageModel(
    loaded,
    { source: corpus, text },
    { batches: 2, batchSize: 4, seed: 0 },
  );
  assert.ok(Number.isFinite(valLoss) && valLoss > 0 && valLoss < Math.log(loaded.tokenizer.vocabSize) + 0.5);
  assert.equal(perplexity, Math.exp(valLoss));
  assert.equal(validationTokens, 144);
});

test("resuming into a run directory that holds another kind of model is an error", () => {
  const out = join(dir, "foreign");
  const config = readCheckpoint(join(dir, "straight")).config;
  writeCheckpoint(out, {
    config: { ...config, model: { type: "ngram", config: {} } },
    weights: new Map(),
    optimizer: {},
    state: { iter: 1, elapsedMs: 0, rng: {}, callbacks: {} },
  });
  assert.throws(
    () => trainGpt({ settings: tiny, out, resume: true }),
    /foreign.step-000001 holds a "ngram" model, not a GPT$/,
  );
});
