import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { settingsFromFlags } from "../../src/cli/commands/train.js";
import type { TrainingCallback } from "../../src/train/callbacks.js";
import { readCheckpoint } from "../../src/train/checkpoint.js";
import { trainGpt } from "../../src/train/train-language-model.js";
import { readTrainingLog } from "../../src/train/training-log.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli, runCliEach } from "./run-cli.js";
import { evaluationLines, TINY_FLAGS, tinyTrainFlags, workspace } from "./train-fixtures.js";

test("train gpt --json prints one object per evaluation and leaves a checkpoint and a log", async () => {
  const { dir, corpus } = workspace();
  const out = join(dir, "run");
  const { code, stdout, stderr } = await runCli([...tinyTrainFlags(corpus, out, 4), "--json"]);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const lines = evaluationLines(stdout);
  assert.deepEqual(
    lines.map((l) => l.iter),
    [0, 2, 4],
  );
  for (const line of lines) assert.ok(Number.isFinite(line.valLoss) && line.valLoss > 0);
  assert.ok(lines[2].valLoss < lines[0].valLoss);
  assert.deepEqual(readdirSync(out).sort(), ["latest.json", "log.jsonl", "step-000004"]);
  const checkpoint = readCheckpoint(out);
  assert.equal(checkpoint.config.model.type, "gpt");
  assert.deepEqual(checkpoint.config.model.config, {
    vocabSize: 14,
    blockSize: 16,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    dropout: 0,
    bias: true,
  });
  assert.equal(checkpoint.config.training.data, corpus);
  assert.equal(readTrainingLog(join(out, "log.jsonl")).filter((r) => r.type === "step").length, 4);
});

test("without --json and off a terminal it prints plain progress lines", async () => {
  const { dir, corpus } = workspace();
  const { code, stdout } = await runCli(tinyTrainFlags(corpus, join(dir, "run"), 2));
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^GPT: 1 layers, 2 heads, embedding 16, block 16: 0\.00M parameters, vocabulary 14 \(char\)\n/,
  );
  assert.match(stdout, /\niter 1\/2 {2}loss \d\.\d{4} {2}\d+ tok\/s {2}ETA \d+s\n/);
  assert.match(stdout, /\niter 2\/2 {2}train loss \d\.\d{4} {2}val loss \d\.\d{4}/);
  assert.match(stdout, /\ntraining done: 2 iterations, validation loss \d\.\d{4}\n$/);
  assert.ok(!stdout.includes("\u001b["), "no terminal escape codes");
});

test("--resume continues a killed run with the same losses as a run that never stopped", async () => {
  const { dir, corpus } = workspace();
  const straight = join(dir, "straight");
  const resumed = join(dir, "resumed");
  assert.equal((await runCli([...tinyTrainFlags(corpus, straight, 4), "--json"])).code, 0);
  // The same run, killed right after its checkpoint at iteration 2 (in this process, with
  // the settings the command line above makes).
  const { settings } = settingsFromFlags({ ...TINY_FLAGS, data: corpus, iters: 4 });
  const kill: TrainingCallback = {
    onCheckpoint: ({ iter }) => {
      if (iter === 2) throw new Error("killed");
    },
  };
  assert.throws(() => trainGpt({ settings, out: resumed, callbacks: [kill] }), /killed/);
  assert.equal(readCheckpoint(resumed).state.iter, 2);

  // Training into a run directory again needs --resume.
  const again = await runCli([...tinyTrainFlags(corpus, resumed, 4), "--json"]);
  assert.equal(again.code, 1);
  assert.match(
    again.stderr,
    /^infiniset: error: .*resumed already holds a training run \(step-000002\); pass --resume/,
  );
  // Changing a setting of the run is refused.
  const changed = await runCli([...tinyTrainFlags(corpus, resumed, 4), "--resume", "--lr", "0.5"]);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /^infiniset: error: cannot resume with lr 0\.5: the run in .* uses 0\.001/);

  const second = await runCli([...tinyTrainFlags(corpus, resumed, 4), "--json", "--resume"]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(
    second.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).iter),
    [4],
  );
  const losses = (run: string) =>
    readTrainingLog(join(run, "log.jsonl")).flatMap((r) => (r.type === "step" ? [r.loss] : []));
  assert.equal(losses(resumed).length, 4);
  assert.deepEqual(losses(resumed), losses(straight));
  assert.deepEqual(
    readFileSync(join(resumed, "step-000004", "model.safetensors")),
    readFileSync(join(straight, "step-000004", "model.safetensors")),
  );
});

test("bad input: missing or empty corpus, a block larger than the data, an unknown preset", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const { dir, corpus } = workspace();
  const cases: [string[], RegExp][] = [
    [tinyTrainFlags(join(dir, "missing.txt"), join(dir, "a")), /Text file not found: .*missing\.txt$/],
    [tinyTrainFlags(join(dir, "empty.txt"), join(dir, "b")), /Text file is empty: .*empty\.txt$/],
    [
      [...tinyTrainFlags(corpus, join(dir, "c")), "--block-size", "200"],
      /block size 200 is too large for .*corpus\.txt: its validation part has 144 tokens and a block needs 201/,
    ],
    [
      [...tinyTrainFlags(corpus, join(dir, "d")), "--preset", "huge"],
      /unknown preset "huge" \(available: baby(, \w+)*\)$/,
    ],
    [
      [...tinyTrainFlags(corpus, join(dir, "e")), "--heads", "3"],
      /the embedding size 16 must be a multiple of the number of heads 3$/,
    ],
  ];
  writeFileSync(join(dir, "empty.txt"), "");
  const results = await runCliEach(cases.map(([args]) => args));
  for (const [i, [args, message]] of cases.entries()) {
    const { code, stdout, stderr } = results[i]!;
    assert.equal(code, 1, args.join(" "));
    assert.equal(stdout, "");
    assert.equal(stderr.split("\n").length, 2, stderr);
    assert.match(stderr.trimEnd(), new RegExp(`^infiniset: error: ${message.source}`));
  }
  const badNumber = await runCli(["train", "gpt", "--iters", "zero"]);
  assert.notEqual(badNumber.code, 0);
  assert.match(badNumber.stderr, /^infiniset: error: option '--iters <n>' argument 'zero' is invalid/);
  const badModel = await runCli(["train", "transformer"]);
  assert.notEqual(badModel.code, 0);
  assert.match(
    badModel.stderr,
    /^infiniset: error: command-argument value 'transformer' is invalid for argument 'model'\. Allowed choices are gpt, rnn, lstm, gru, ngram, classifier, cnn(, [a-z]+)*\.\n$/,
  );
});

test("a NaN loss stops training with one message and keeps the last good checkpoint", async () => {
  const { dir, corpus } = workspace();
  const out = join(dir, "run");
  // A learning rate of 1e8 blows the weights up within a few steps.
  const args = [
    ...tinyTrainFlags(corpus, out, 20),
    "--lr",
    "1e8",
    "--eval-interval",
    "100",
    "--checkpoint-every",
    "1",
  ];
  const { code, stdout, stderr } = await runCli([...args, "--json"]);
  assert.equal(code, 1);
  const match = stderr.match(
    /^infiniset: error: training stopped at iteration (\d+): the training loss is NaN; the last good checkpoint is (.*)\n$/,
  );
  assert.ok(match, stderr);
  const [, iter, path] = match;
  assert.equal(path, join(out, `step-${String(Number(iter) - 1).padStart(6, "0")}`));
  assert.deepEqual(
    stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).iter),
    [0],
  );
  const kept = readCheckpoint(out);
  assert.equal(kept.state.iter, Number(iter) - 1);
  for (const [, weights] of kept.weights) assert.ok(weights.dataSync().every(Number.isFinite));
  const log = readTrainingLog(join(out, "log.jsonl"));
  assert.equal(log.at(-1)?.type, "stop");
});
