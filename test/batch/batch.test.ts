// `infiniset batch eval|generate` on local processes: one result per item in input order,
// scores that match scoring in this process, a bad item that does not stop the others, and
// a resumed batch that only does what is missing.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { scoreText } from "../../src/jobs/batch-jobs.js";
import { loadLanguageModelCheckpoint } from "../../src/train/language-model-checkpoint.js";
import { runCli } from "../cli/run-cli.js";
import { tinyTrainedRun } from "../cli/train-fixtures.js";
import { ORCHESTRATION_ONCE } from "../tune/fixtures.js";

const { dir, run } = tinyTrainedRun();
const input = join(dir, "texts.txt");
writeFileSync(
  input,
  "the cat sat on the mat.\nthe dog sat\n\non the log. the cat\nZ is not in the vocabulary\nthe mat\n",
);

function readLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test("batch eval scores each text as scoring it here does, in input order, with bad items reported", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const out = join(dir, "scores.jsonl");
  const { code, stdout, stderr } = await runCli([
    "batch",
    "eval",
    "--checkpoint",
    run,
    "--input",
    input,
    "--out",
    out,
    "--per-job",
    "2",
    "--json",
  ]);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout) as Record<string, number>;
  assert.equal(summary.items, 5);
  assert.equal(summary.failed, 1);
  assert.equal(summary.jobs, 3);
  const results = readLines(out);
  assert.deepEqual(
    results.map((r) => r.index),
    [0, 1, 2, 3, 4],
  );
  assert.match(String(results[3]!.error), /character "Z"/);
  assert.equal(results[2]!.source, `${input}:4`);
  const loaded = loadLanguageModelCheckpoint(run);
  const texts = ["the cat sat on the mat.", "the dog sat", "on the log. the cat", "", "the mat"];
  for (const i of [0, 1, 2, 4]) {
    const here = scoreText(loaded, texts[i]!);
    assert.equal(results[i]!.tokens, here.tokens);
    assert.ok(Math.abs((results[i]!.loss as number) - here.loss) < 1e-5, `item ${i}`);
  }
});

test("batch generate continues each prompt reproducibly; --resume does only the missing items", {
  skip: ORCHESTRATION_ONCE,
}, async () => {
  const out = join(dir, "texts-out.jsonl");
  const args = [
    "batch",
    "generate",
    "--checkpoint",
    run,
    "--input",
    input,
    "--out",
    out,
    "--max-tokens",
    "5",
    "--seed",
    "3",
  ];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  const all = readLines(out);
  assert.equal(all.length, 5);
  for (const i of [0, 1, 2, 4]) assert.equal([...String(all[i]!.text)].length, 5);
  // Lose two results, as a stopped batch would have; --resume does those two again, the same.
  writeFileSync(out, [all[0], all[2], all[3]].map((r) => `${JSON.stringify(r)}\n`).join(""));
  const again = await runCli([...args, "--resume", "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { resumed: number }).resumed, 3);
  assert.deepEqual(readLines(out), all);
  const exists = await runCli(args);
  assert.equal(exists.code, 1);
  assert.match(exists.stderr, /exists; pass --resume/);
});
