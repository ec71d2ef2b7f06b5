// `infiniset tune` on local processes: a sweep's outputs, stop and resume, and one clear
// error line for every kind of bad config.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpointConfig } from "../../src/train/checkpoint.js";
import { readResults } from "../../src/tune/results-log.js";
import { readSweepConfig } from "../../src/tune/sweep-config.js";
import { tune } from "../../src/tune/tune.js";
import { runCli } from "../cli/run-cli.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { ORCHESTRATION_ONCE, tinySweep, workspace, writeConfig } from "./fixtures.js";

test("a grid sweep writes results.jsonl, a summary table and an SVG plot", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const { dir, corpus } = workspace();
  const config = writeConfig(
    dir,
    tinySweep(corpus, {
      strategy: "grid",
      space: { lr: { type: "log-uniform", low: 1e-3, high: 1e-2, grid: 2 }, nEmbd: [8] },
      budget: {},
    }),
  );
  const out = join(dir, "out");
  const { code, stdout, stderr } = await runCli(["tune", "--config", config, "--out", out, "--workers", "2"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^sweep tiny: grid over lr, nEmbd \(2 trials at most; 6 iterations each\)/);
  assert.match(stdout, /rank {2}trial {2}lr {5}nEmbd {2}iterations {2}valLoss {2}status/);
  assert.match(stdout, /best: trial \d \(lr=0\.0\d+ nEmbd=8\): valLoss \d\.\d{4} at 6 iterations/);
  const records = readResults(join(out, "results.jsonl"));
  assert.deepEqual(records.map((r) => r.params.lr).sort(), [0.001, 0.01]);
  for (const r of records) {
    assert.equal(r.objective, r.evaluations.at(-1)!.valLoss);
    assert.equal(r.evaluations.at(-1)!.iter, 6);
  }
  const svg = readFileSync(join(out, "plot.svg"), "utf8");
  assert.match(svg, /^<svg [^>]*>/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 2);
  assert.match(svg, /best so far/);
  // The run directories are real runs: another command can use them.
  assert.ok(existsSync(join(out, "trials", "trial-0000", "latest.json")));
  const again = await runCli(["tune", "--config", config, "--out", out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already holds a sweep; pass --resume/);
});

test("a stopped ASHA sweep resumes where it stopped and ends as an uninterrupted one", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const { dir, corpus } = workspace();
  const config = tinySweep(
    corpus,
    { strategy: { type: "asha", eta: 2, minIterations: 2 }, budget: { trials: 4 } },
    8,
  );
  const whole = await tune({ config, out: join(dir, "whole"), workers: 2 });
  assert.equal(whole.run.reason, "completed");

  const out = join(dir, "stopped");
  const stop = new AbortController();
  const first = await tune({
    config,
    out,
    workers: 2,
    signal: stop.signal,
    onEvent: (event) => {
      if (event.type === "result") stop.abort();
    },
  });
  assert.equal(first.run.reason, "stopped");
  assert.ok(first.run.records.length < whole.run.records.length);
  const resumed = await tune({ config, out, workers: 2, resume: true });
  assert.equal(resumed.run.reason, "completed");
  const key = (r: { trial: number; rung: number }) => `${r.trial}/${r.rung}`;
  const records = readResults(join(out, "results.jsonl"));
  assert.equal(new Set(records.map(key)).size, records.length, "each (trial, rung) once");
  // Trials continue from their checkpoints and every draw is seeded: the same objectives.
  const objectives = (rs: typeof records) => Object.fromEntries(rs.map((r) => [key(r), r.objective]));
  const expected = objectives(whole.run.records);
  for (const [k, v] of Object.entries(objectives(records))) {
    if (k in expected) assert.equal(v, expected[k], `trial/rung ${k}`);
  }
  assert.deepEqual(resumed.summary.best?.objective, whole.summary.best?.objective);
});

test("a bad config is one clear error line and a non-zero exit", { skip: TARGET_INDEPENDENT }, async () => {
  const { dir, corpus } = workspace();
  const bad = join(dir, "bad.json");
  writeFileSync(bad, '{ "space": { "lr": [0.1, }');
  const cases: [string, RegExp][] = [
    [bad, /bad\.json: not valid JSON/],
    [join(dir, "missing.json"), /cannot read the sweep config .*missing\.json: no such file/],
    [
      writeConfig(dir, tinySweep(corpus, { strategy: "bayes" }), "a.json"),
      /a\.json: strategy\.type must be one of grid, random, successive-halving, asha, got "bayes"/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { space: { lr: { type: "uniform", low: 1, high: 0 } } }), "b.json"),
      /b\.json: space\.lr low \(1\) must be less than high \(0\)/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { space: { learningRate: [1] } }), "c.json"),
      /c\.json: space\.learningRate is not a setting of a gpt run \(settings: data, tokenizer/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { budget: {} }), "d.json"),
      /d\.json: budget a random search over ranges needs budget\.trials or budget\.seconds/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { space: { nHead: [3] } }), "e.json"),
      /e\.json: settings make a run the model rejects for trial 0 .*multiple of the number of heads 3/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { objective: "bleu" }), "f.json"),
      /f\.json: objective\.mode must say whether bleu is better smaller/,
    ],
    [
      writeConfig(dir, tinySweep(corpus, { trials: 3 }), "g.json"),
      /g\.json: trials is not a field of a sweep/,
    ],
  ];
  for (const [config, message] of cases) assert.throws(() => readSweepConfig(config), message);
  // What the command makes of them: the message, on one line, and nothing else.
  for (const [config, message] of [cases[0]!, cases[4]!]) {
    const { code, stdout, stderr } = await runCli(["tune", "--config", config, "--out", join(dir, "never")]);
    assert.equal(code, 1, config);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0]!, /^infiniset: error: /);
    assert.match(lines[0]!, message);
    assert.equal(stdout, "");
  }
  assert.ok(!existsSync(join(dir, "never")));
});

test("K-fold cross-validation: a trial's objective is the mean over folds, each validated on its own part", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const { dir } = workspace();
  // Two halves that differ, so the folds learn and validate on different text.
  const corpus = join(dir, "halves.txt");
  writeFileSync(corpus, "the cat sat on the mat. ".repeat(30) + "a dog ran to a log! ".repeat(36));
  const config = tinySweep(corpus, { folds: 2, budget: { trials: 1 } });
  const result = await tune({ config, out: join(dir, "folds"), workers: 2 });
  const [record] = result.run.records;
  assert.equal(record!.folds!.length, 2);
  const [a, b] = record!.folds as number[];
  assert.notEqual(a, b);
  assert.ok(Math.abs(record!.objective! - (a + b) / 2) < 1e-12);
  assert.equal(result.summary.iterations, 2 * 6);
  for (const fold of [0, 1]) {
    const { config: saved } = readCheckpointConfig(
      join(dir, "folds", "trials", "trial-0000", `fold-${fold}`),
    );
    assert.deepEqual(saved.training.validationFold, { index: fold, count: 2 });
  }
});

test("the time budget stops a sweep, which --resume continues", { skip: ORCHESTRATION_ONCE }, async () => {
  const { dir, corpus } = workspace();
  const config = tinySweep(corpus, { budget: { trials: 50, seconds: 1 } });
  const out = join(dir, "timed");
  const first = await tune({ config, out, workers: 1 });
  assert.equal(first.run.reason, "time-budget");
  assert.ok(first.run.records.length < 50);
  assert.ok(first.run.seconds < 10, `stopped after ${first.run.seconds} s`);
  const second = await tune({ config, out, workers: 1, resume: true });
  assert.equal(second.run.reason, "time-budget");
  const trials = second.run.records.map((r) => r.trial);
  assert.equal(new Set(trials).size, trials.length);
});

test("a classifier sweep: the objective is a classifier metric (f1, higher is better) on the held-out fifth", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const { dir } = workspace();
  const data = join(dir, "texts.csv");
  const spam = ["win", "free", "prize", "cash", "offer", "click", "now", "meeting"];
  const ham = ["meeting", "agenda", "patch", "lunch", "review", "notes", "build", "free"];
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const rows = ["text,label"];
  for (let i = 0; i < 80; i++) {
    const words = i % 2 ? spam : ham;
    const text = Array.from({ length: 6 }, () => words[Math.floor(next() * words.length)]).join(" ");
    rows.push(`"${text}",${i % 2 ? "spam" : "ham"}`);
  }
  writeFileSync(data, `${rows.join("\n")}\n`);
  const config = {
    name: "spam",
    model: "classifier",
    preset: "logreg",
    settings: { data },
    space: {
      C: { type: "log-uniform", low: 0.01, high: 100, grid: 2 },
      features: ["word:1-1", "word:1-2,char:2-4"],
    },
    strategy: "grid",
    objective: "f1",
  };
  const result = await tune({ config, out: join(dir, "sweep"), workers: 2 });
  assert.equal(result.config.objective.mode, "max");
  assert.equal(result.run.records.length, 4);
  for (const r of result.run.records) {
    assert.equal(r.status, "completed", r.error);
    assert.equal(r.objective, r.evaluations[0]!.f1);
    assert.ok(r.evaluations[0]!.accuracy! > 0.5 && r.evaluations[0]!.auc! <= 1);
  }
  const best = Math.max(...result.run.records.map((r) => r.objective!));
  assert.equal(result.summary.best?.objective, best);
  // Cross-validated: one classifier per stratified fold, the objective their mean.
  const folded = await tune({
    config: { ...config, name: "spam-folds", folds: 3, space: { C: [1] } },
    out: join(dir, "folds"),
    workers: 2,
  });
  const [record] = folded.run.records;
  assert.equal(record!.folds!.length, 3);
  assert.ok(Math.abs(record!.objective! - record!.folds!.reduce((a, b) => a! + b!, 0)! / 3) < 1e-12);
});
