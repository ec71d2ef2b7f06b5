import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli, runCliEach } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

const { dir, corpus, run } = tinyTrainedRun();

test("eval prints the validation loss and its perplexity", async () => {
  const { code, stdout, stderr } = await runCli(["eval", "--checkpoint", run]);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const match = stdout.match(
    /^validation loss (\d+\.\d{4}), perplexity (\d+\.\d{2})\n\(2 random batches of 4 × 16 tokens from the last 10% of (.*), 144 tokens\)\n$/,
  );
  assert.ok(match, stdout);
  assert.equal(match[3], corpus);
  assert.ok(Math.abs(Math.exp(Number(match[1])) - Number(match[2])) < 0.02 * Number(match[2]));

  const json = await runCli(["eval", "--checkpoint", run, "--json", "--batches", "3", "--data", corpus]);
  const result = JSON.parse(json.stdout);
  assert.deepEqual(Object.keys(result), [
    "valLoss",
    "perplexity",
    "batches",
    "batchSize",
    "blockSize",
    "data",
  ]);
  assert.equal(result.batches, 3);
  assert.ok(Math.abs(result.perplexity - Math.exp(result.valLoss)) < 1e-9);
});

test("bad input: a missing corpus, text the tokenizer does not know, too little text", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  writeFileSync(join(dir, "other.txt"), "THE CAT SAT ON THE MAT. ".repeat(30));
  writeFileSync(join(dir, "short.txt"), "the cat sat on the mat. ".repeat(5));
  const cases: [string, RegExp][] = [
    [join(dir, "missing.txt"), /Text file not found: .*missing\.txt$/],
    [
      join(dir, "other.txt"),
      /cannot evaluate on .*other\.txt: CharTokenizer: character "T" \(U\+0054\) is not in the vocabulary/,
    ],
    [
      join(dir, "short.txt"),
      /cannot evaluate on .*short\.txt: block size 16 is too large for .*short\.txt: its validation part has 12 tokens/,
    ],
  ];
  const results = await runCliEach([
    ...cases.map(([data]) => ["eval", "--checkpoint", run, "--data", data]),
    ["eval", "--checkpoint", join(dir, "nope")],
  ]);
  for (const [i, [data, message]] of cases.entries()) {
    const { code, stdout, stderr } = results[i]!;
    assert.equal(code, 1, data);
    assert.equal(stdout, "");
    assert.match(stderr.trimEnd(), new RegExp(`^infiniset: error: ${message.source}`));
  }
  const missing = results[cases.length]!;
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^infiniset: error: Checkpoint not found: .*nope\n$/);
});
