import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Adam } from "../../src/optim/adam.js";
import { AdamW } from "../../src/optim/adamw.js";
import { warmupCosine } from "../../src/optim/schedules/warmup-cosine.js";
import type { TrainingCallback } from "../../src/train/callbacks.js";
import { type CheckpointConfig, readCheckpoint } from "../../src/train/checkpoint.js";
import { EarlyStopping } from "../../src/train/early-stopping.js";
import { type FitOptions, fit, NonFiniteLossError } from "../../src/train/fit.js";
import { readTrainingLog } from "../../src/train/training-log.js";
import { temporaryDirectory, tinyDataset } from "./fixtures.js";
import { TinyBigram } from "./tiny-bigram.js";

const data = tinyDataset();
const vocabSize = data.tokenizer.vocabSize;

function config(): CheckpointConfig {
  return {
    format: "infiniset-checkpoint",
    version: 1,
    model: { type: "tiny-bigram", config: { vocabSize } },
    tokenizer: data.tokenizer.toJSON(),
    training: { data: "tiny" },
  };
}

test("loss goes down; the log has a line per step and per evaluation; checkpoints are complete", () => {
  const dir = temporaryDirectory();
  const model = new TinyBigram({ vocabSize });
  const logFile = join(dir, "log.jsonl");
  const result = fit(model, data, {
    optimizer: new Adam(model.parameters(), { lr: 0.1 }),
    batchSize: 4,
    blockSize: 8,
    iterations: 30,
    evalInterval: 10,
    evalBatches: 4,
    checkpoint: { dir, every: 10, config: config() },
    logFile,
  });
  assert.equal(result.reason, "completed");
  assert.equal(result.iter, 30);
  assert.equal(result.stepLosses.length, 30);

  const records = readTrainingLog(logFile);
  const evals = records.filter((r) => r.type === "eval");
  assert.deepEqual(
    evals.map((r) => r.iter),
    [0, 10, 20, 30],
  );
  assert.deepEqual(
    records.filter((r) => r.type === "step").map((r) => r.iter),
    Array.from({ length: 30 }, (_, i) => i + 1),
  );
  const first = evals[0]!;
  const last = evals.at(-1)!;
  assert.ok(first.type === "eval" && last.type === "eval");
  assert.ok(last.valLoss < first.valLoss - 0.5, `val loss ${first.valLoss} → ${last.valLoss}`);
  assert.ok(last.trainLoss < first.trainLoss - 0.5);
  assert.ok(last.tokensPerSec > 0 && last.elapsedMs >= 0);
  // Every line is a JSON object.
  for (const line of readFileSync(logFile, "utf8").trimEnd().split("\n"))
    assert.equal(typeof JSON.parse(line), "object");

  // Only the newest checkpoint is kept; latest.json names it; it holds every file.
  assert.deepEqual(readdirSync(dir).sort(), ["latest.json", "log.jsonl", "step-000030"]);
  assert.deepEqual(readdirSync(join(dir, "step-000030")).sort(), [
    "config.json",
    "model.safetensors",
    "optimizer.safetensors",
    "state.json",
  ]);
  const saved = readCheckpoint(dir);
  assert.equal(saved.state.iter, 30);
  assert.deepEqual(saved.config, config());
  assert.deepEqual(Object.keys(saved.state.rng).sort(), ["batches", "evaluation", "unseeded"]);
  assert.deepEqual(saved.weights.get("table.weight")!.dataSync(), model.table.weight.dataSync());
  assert.equal((saved.optimizer as { iteration: number }).iteration, 30);
  assert.equal(result.checkpoint, saved.path);
});

/** Everything that decides the losses: dropout, a schedule, clipping, AdamW, evaluation and early stopping. */
function resumableRun(dir: string, iterations: number, resume: boolean) {
  const model = new TinyBigram({ vocabSize, dropout: 0.2, seed: 3 });
  const decay = model.parameters();
  const optimizer = new AdamW([{ params: decay, weightDecay: 0.1 }], {
    lr: warmupCosine({ warmup: 2, total: 6, maxLr: 0.05, minLr: 0.005 }),
    betas: [0.9, 0.99],
  });
  const earlyStopping = new EarlyStopping({ patience: 10 });
  const options: FitOptions = {
    optimizer,
    batchSize: 3,
    blockSize: 8,
    iterations,
    clipNorm: 1,
    seed: 11,
    evalInterval: 2,
    evalBatches: 2,
    dropoutSeeds: model.seeds,
    checkpoint: { dir, every: 3, config: config() },
    logFile: join(dir, "log.jsonl"),
    callbacks: [earlyStopping],
    ...(resume ? { resumeFrom: readCheckpoint(dir) } : {}),
  };
  return { result: fit(model, data, options), model, earlyStopping };
}

test("resume is exact: 6 steps straight equal 3 steps, a checkpoint, and 3 resumed steps, bit for bit", () => {
  const straight = resumableRun(temporaryDirectory(), 6, false);
  const dir = temporaryDirectory();
  const firstHalf = resumableRun(dir, 3, false);
  const secondHalf = resumableRun(dir, 6, true);

  const lossesStraight = straight.result.stepLosses;
  const lossesResumed = [...firstHalf.result.stepLosses, ...secondHalf.result.stepLosses];
  assert.deepEqual(
    lossesResumed.map((s) => s.iter),
    [1, 2, 3, 4, 5, 6],
  );
  // Float32 values compared as numbers: equal means the same bits.
  assert.deepEqual(lossesResumed, lossesStraight);
  assert.deepEqual(secondHalf.model.table.weight.dataSync(), straight.model.table.weight.dataSync());
  assert.deepEqual(secondHalf.result.lastEvaluation, {
    ...straight.result.lastEvaluation!,
    tokensPerSec: secondHalf.result.lastEvaluation!.tokensPerSec,
    elapsedMs: secondHalf.result.lastEvaluation!.elapsedMs,
  });
  assert.deepEqual(secondHalf.earlyStopping.state(), straight.earlyStopping.state());
  // The resumed log reads as one run (each step once), plus the evaluation that ended the
  // first half at iteration 3.
  const log = readTrainingLog(join(dir, "log.jsonl"));
  assert.deepEqual(
    log.map((r) => `${r.type}${r.iter}`),
    ["eval0", "step1", "step2", "eval2", "step3", "eval3", "step4", "eval4", "step5", "step6", "eval6"],
  );
});

test("a run killed after its last checkpoint, before the evaluation that follows it, evaluates on resume", () => {
  // 5 steps with evaluations every 2: the last evaluation is off the schedule and comes
  // after the checkpoint at 5. A kill between the two leaves the log without it.
  const straight = resumableRun(temporaryDirectory(), 5, false);
  const dir = temporaryDirectory();
  resumableRun(dir, 5, false);
  const logFile = join(dir, "log.jsonl");
  const lines = readFileSync(logFile, "utf8").trimEnd().split("\n");
  assert.match(lines.at(-1)!, /"type":"eval".*"iter":5|"iter":5.*"type":"eval"/);
  writeFileSync(logFile, `${lines.slice(0, -1).join("\n")}\n`);
  const resumed = resumableRun(dir, 5, true);
  const log = readTrainingLog(logFile);
  assert.deepEqual(
    log.filter((r) => r.type === "eval").map((r) => r.iter),
    [0, 2, 4, 5],
  );
  const { tokensPerSec: _t, elapsedMs: _e, ...values } = resumed.result.lastEvaluation!;
  const { tokensPerSec: _t2, elapsedMs: _e2, ...expected } = straight.result.lastEvaluation!;
  assert.deepEqual(values, expected);
  // Resumed once more, nothing is evaluated twice.
  resumableRun(dir, 5, true);
  assert.equal(readTrainingLog(logFile).filter((r) => r.type === "eval" && r.iter === 5).length, 1);
});

test("a NaN loss stops training with a clear error and keeps the last good checkpoint", () => {
  const dir = temporaryDirectory();
  const model = new TinyBigram({ vocabSize, poisonAfter: 5 });
  const ended: string[] = [];
  const watcher: TrainingCallback = { onEnd: (end) => ended.push(end.reason) };
  assert.throws(
    () =>
      fit(model, data, {
        optimizer: new Adam(model.parameters(), { lr: 0.05 }),
        batchSize: 2,
        blockSize: 8,
        iterations: 10,
        evalInterval: 100,
        evalBatches: 1,
        checkpoint: { dir, every: 2, config: config() },
        logFile: join(dir, "log.jsonl"),
        callbacks: [watcher],
      }),
    (error: unknown) => {
      assert.ok(error instanceof NonFiniteLossError);
      assert.equal(error.iter, 6);
      assert.match(
        error.message,
        /^training stopped at iteration 6: the training loss is NaN; the last good checkpoint is .*step-000004$/,
      );
      return true;
    },
  );
  assert.deepEqual(ended, ["non-finite-loss"]);
  const kept = readCheckpoint(dir);
  assert.equal(kept.state.iter, 4);
  assert.ok(kept.weights.get("table.weight")!.dataSync().every(Number.isFinite));
  assert.ok(!existsSync(join(dir, "step-000006")));
  const log = readTrainingLog(join(dir, "log.jsonl"));
  const [lastStep, stop] = log.slice(-2);
  assert.deepEqual(stop, { type: "stop", iter: 6, reason: stop?.type === "stop" ? stop.reason : "" });
  assert.match(stop?.type === "stop" ? stop.reason : "", /the training loss is NaN/);
  // JSON has no NaN: the log says null.
  assert.deepEqual(lastStep?.type === "step" && [lastStep.iter, lastStep.loss], [6, null]);
});

test("weights that overflow in an update stop training before they reach a checkpoint", () => {
  const dir = temporaryDirectory();
  const model = new TinyBigram({ vocabSize });
  // A rate beyond float32's range: the first loss is fine, the weights after it are not.
  const optimizer = new Adam(model.parameters(), { lr: 1e39 });
  const options = { optimizer, batchSize: 2, blockSize: 8, iterations: 4, evalInterval: 10, evalBatches: 1 };
  assert.throws(
    () => fit(model, data, { ...options, checkpoint: { dir, every: 1, config: config() } }),
    /^NonFiniteLossError: training stopped at iteration 1: the weight table\.weight after the update is -?Infinity; no checkpoint had been saved yet$/,
  );
  assert.ok(!existsSync(join(dir, "latest.json")));
});

test("early stopping ends training and saves a checkpoint where it stopped", () => {
  const dir = temporaryDirectory();
  const model = new TinyBigram({ vocabSize });
  const result = fit(model, data, {
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    batchSize: 2,
    blockSize: 8,
    iterations: 50,
    evalInterval: 2,
    evalBatches: 1,
    checkpoint: { dir, every: 100, config: config() },
    // No loss can beat the best by 100, so the second evaluation after the first stops.
    callbacks: [new EarlyStopping({ patience: 2, minDelta: 100 })],
  });
  assert.equal(result.reason, "early-stopping");
  assert.equal(result.iter, 4);
  assert.match(
    result.message,
    /^early stopping: the validation loss has not improved on \d\.\d{4} \(iteration 0\) for 2 evaluations$/,
  );
  assert.equal(readCheckpoint(dir).state.iter, 4);
});

test("epochs count steps by the size of the training split; bad options are errors", () => {
  const model = new TinyBigram({ vocabSize });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const base = { optimizer, batchSize: 16, blockSize: 8, evalInterval: 1000, evalBatches: 1 };
  // The training split has ⌊0.9 · 576⌉ = 518 tokens, 4 batches of 128.
  assert.equal(fit(model, data, { ...base, epochs: 2 }).iter, 8);
  assert.throws(() => fit(model, data, base), /exactly one of iterations and epochs/);
  assert.throws(
    () => fit(model, data, { ...base, iterations: 0 }),
    /iterations must be an integer >= 1, got 0/,
  );
});
