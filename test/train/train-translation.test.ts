import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  loadTranslator,
  TRANSLATION_DEFAULTS,
  type TranslationSettings,
  trainTranslation,
} from "../../src/train/train-translation.js";
import { readTrainingLog } from "../../src/train/training-log.js";
import { runCli } from "../cli/run-cli.js";

const tiny: TranslationSettings = {
  ...TRANSLATION_DEFAULTS,
  embd: 16,
  heads: 2,
  layers: 1,
  hidden: 16,
  vocabSize: 300,
  iterations: 12,
  batchSize: 8,
  warmup: 2,
  evalInterval: 6,
  testSize: 6,
  beam: 2,
};

test("a translation run writes checkpoints and a log, resumes where it stopped, and translates", async () => {
  const out = mkdtempSync(join(tmpdir(), "translate-"));
  const first = trainTranslation(tiny, { out });
  assert.equal(first.iterations, 12);
  assert.ok(first.greedy.sentences === 6 && first.beam.sentences === 6);
  for (const e of [first.greedy, first.beam]) {
    assert.ok(e.exactMatch >= 0 && e.exactMatch <= 100 && e.bleu >= 0 && e.chrf >= 0);
  }
  assert.ok(existsSync(join(out, "step-000012", "model.safetensors")));
  // Resuming to 18 iterations continues from step 12: the log keeps one record per step.
  const resumed = trainTranslation({ ...tiny, iterations: 18 }, { out, resume: true });
  assert.equal(resumed.iterations, 18);
  const steps = readTrainingLog(join(out, "log.jsonl")).filter((r) => r.type === "step");
  assert.deepEqual(
    steps.map((r) => r.iter),
    Array.from({ length: 18 }, (_, i) => i + 1),
  );
  const { translator, source, target } = loadTranslator(out);
  assert.deepEqual([source, target], ["en", "fr"]);
  const [found] = translator.translate(["three hundred forty-two"], { width: 2, nBest: 2 });
  assert.equal(found!.length, 2);
  assert.ok(found![0]!.score >= found![1]!.score);
  assert.equal(found![0]!.sourceTokens.at(-1), "</s>");

  const cli = await runCli([
    "translate",
    "--checkpoint",
    out,
    "--beam",
    "2",
    "--json",
    "--alignment",
    join(out, "a.svg"),
    "seven",
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const line = JSON.parse(cli.stdout) as { source: string; translations: { text: string }[] };
  assert.equal(line.source, "seven");
  assert.equal(line.translations.length, 1);
  assert.match(readFileSync(join(out, "a.svg"), "utf8"), /<svg[\s\S]*seven/);
  const bad = await runCli(["translate", "--checkpoint", out, "--n-best", "3", "--beam", "2", "seven"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^infiniset: error: --n-best 3 needs --beam of at least 3\n$/);
});

test("the GRU encoder–decoder trains through the same run", () => {
  const result = trainTranslation({
    ...tiny,
    architecture: "gru",
    iterations: 4,
    evalInterval: 4,
    testSize: 2,
  });
  assert.ok(Number.isFinite(result.finalLoss));
  assert.equal(result.beam.sentences, 2);
});
