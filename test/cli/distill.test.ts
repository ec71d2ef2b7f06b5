import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

let work: { dir: string; run: string; corpus: string };
before(() => {
  work = tinyTrainedRun({ embd: 32 });
});
after(() => rmSync(work.dir, { recursive: true, force: true }));

const student = [
  "--layers",
  "1",
  "--heads",
  "2",
  "--embd",
  "16",
  "--block-size",
  "16",
  "--batch-size",
  "4",
  "--eval-interval",
  "2",
  "--eval-batches",
  "2",
];

test("distill trains a GPT student on the teacher's soft targets, and the run resumes", async () => {
  const out = join(work.dir, "student");
  const first = await runCli([
    "distill",
    "--teacher",
    work.run,
    "--iters",
    "2",
    "--alpha",
    "0.7",
    "--out",
    out,
    "--json",
    ...student,
  ]);
  assert.equal(first.code, 0, first.stderr);
  const evaluations = first.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    evaluations.map((e) => e.iter),
    [0, 2],
  );
  const config = JSON.parse(readFileSync(join(out, "step-000002", "config.json"), "utf8"));
  assert.deepEqual(config.training.distillation, { teacher: work.run, temperature: 2, alpha: 0.7 });
  assert.equal(config.model.config.nEmbd, 16);
  const more = await runCli([
    "distill",
    "--teacher",
    work.run,
    "--iters",
    "4",
    "--alpha",
    "0.7",
    "--out",
    out,
    "--resume",
    "--json",
    ...student,
  ]);
  assert.equal(more.code, 0, more.stderr);
  assert.equal(JSON.parse(more.stdout.trim().split("\n").at(-1)!).iter, 4);
  const changed = await runCli([
    "distill",
    "--teacher",
    work.run,
    "--iters",
    "6",
    "--alpha",
    "0.2",
    "--out",
    out,
    "--resume",
    ...student,
  ]);
  assert.match(changed.stderr, /cannot resume with distillation/);
  const evaluated = await runCli(["eval", "--checkpoint", out, "--json"]);
  assert.equal(evaluated.code, 0, evaluated.stderr);

  const other = join(work.dir, "other.txt");
  writeFileSync(other, "xyz qrs ".repeat(100));
  const mismatch = await runCli([
    "distill",
    "--teacher",
    work.run,
    "--data",
    other,
    "--iters",
    "2",
    "--out",
    join(work.dir, "s2"),
    ...student,
  ]);
  assert.match(mismatch.stderr, /has another vocabulary/);
});

test("train --qat trains through fake quantization; quantize then loses little", async () => {
  const out = join(work.dir, "qat");
  const trained = await runCli([
    "train",
    "gpt",
    "--data",
    work.corpus,
    "--qat",
    "4",
    "--iters",
    "2",
    "--out",
    out,
    "--layers",
    "1",
    "--heads",
    "2",
    "--embd",
    "32",
    "--block-size",
    "16",
    "--batch-size",
    "4",
    "--eval-interval",
    "2",
    "--eval-batches",
    "2",
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /quantization-aware: every Linear trains through 4-bit fake quantization/);
  const config = JSON.parse(readFileSync(join(out, "step-000002", "config.json"), "utf8"));
  assert.equal(config.training.qatBits, 4);
  const bad = await runCli(["train", "gpt", "--qat", "3", "--out", join(work.dir, "q3")]);
  assert.match(bad.stderr, /--qat.*expected 8 or 4/);
});

test("distill --student cnn learns a classifier from a trained teacher's probabilities", async () => {
  const csv = join(work.dir, "texts.csv");
  const spam = ["win", "free", "prize", "cash", "offer", "click"];
  const ham = ["meeting", "agenda", "patch", "lunch", "review", "notes"];
  const rows = ["text,label"];
  for (let i = 0; i < 60; i++) {
    const words = i % 2 ? spam : ham;
    rows.push(
      `"${Array.from({ length: 5 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(" ")}",${i % 2 ? "spam" : "ham"}`,
    );
  }
  writeFileSync(csv, `${rows.join("\n")}\n`);
  const teacher = join(work.dir, "teacher");
  const trained = await runCli([
    "train",
    "classifier",
    "--data",
    csv,
    "--model",
    "logreg",
    "--features",
    "word",
    "--out",
    teacher,
    "--json",
  ]);
  assert.equal(trained.code, 0, trained.stderr);
  const out = join(work.dir, "cnn");
  const distilled = await runCli([
    "distill",
    "--teacher",
    teacher,
    "--student",
    "cnn",
    "--epochs",
    "2",
    "--max-tokens",
    "8",
    "--out",
    out,
    "--json",
  ]);
  assert.equal(distilled.code, 0, distilled.stderr);
  const result = JSON.parse(distilled.stdout);
  assert.equal(result.student, "cnn");
  assert.ok(result.teacher.f1 > 0.9 && typeof result.f1 === "number");
  const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
  assert.equal(config.kind, "cnn");
  assert.equal(config.training.distillation.alpha, 0.5);
  const evaluated = await runCli(["eval", "--checkpoint", out, "--json"]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const wrong = await runCli(["distill", "--teacher", teacher, "--iters", "3", "--out", out]);
  assert.match(wrong.stderr, /iters are for GPT students/);
});
