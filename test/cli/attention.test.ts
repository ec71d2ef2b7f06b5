import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

const { dir, run } = tinyTrainedRun();

test("attention draws one map per layer and head as SVG, or the one asked for", async () => {
  const out = join(dir, "map.svg");
  const all = await runCli(["attention", "--checkpoint", run, "--prompt", "the cat sat", "--out", out]);
  assert.equal(all.stderr, "");
  assert.equal(all.code, 0);
  assert.match(all.stdout, /wrote 2 maps of 11 tokens/);
  const svg = readFileSync(out, "utf8");
  assert.match(svg, /^<svg /);
  assert.match(svg, /layer 0 · head 0/);
  assert.match(svg, /layer 0 · head 1/);
  // 11 positions: 66 cells on or below the diagonal in each of the two maps.
  assert.equal(svg.match(/<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="rgb/g)?.length, 132);
  const one = await runCli([
    "attention",
    "--checkpoint",
    run,
    "--prompt",
    "the",
    "--out",
    out,
    "--head",
    "1",
  ]);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /wrote 1 map of 3 tokens/);
  const bad = await runCli([
    "attention",
    "--checkpoint",
    run,
    "--prompt",
    "the",
    "--out",
    out,
    "--layer",
    "1",
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--layer 1: the model has 1 layers \(0 to 0\)/);
});

test("generate --show-probs lists each token with its probability and the likeliest alternatives", async () => {
  const { code, stdout, stderr } = await runCli([
    "generate",
    "--checkpoint",
    run,
    "--prompt",
    "the",
    "--max-tokens",
    "6",
    "--show-probs",
  ]);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const [text, table] = stdout.split("\n\n");
  assert.ok(
    text!.startsWith("the") && [...text!].length === 3 + 6,
    "the prompt and six tokens, uncoloured off a terminal",
  );
  const rows = table!.trim().split("\n");
  assert.equal(rows.length, 6);
  for (const [i, row] of rows.entries()) {
    const match = /^\s*(\d+)\s+(".*?")\s+p=([\d.]+)\s+top: (.*)$/.exec(row);
    assert.ok(match, row);
    assert.equal(Number(match[1]), i + 1);
    assert.equal(JSON.parse(match[2]!), [...text!][3 + i]);
    const alternatives = [...match[4]!.matchAll(/(".*?") ([\d.]+)/g)].map((m) => Number(m[2]));
    assert.equal(alternatives.length, 5);
    assert.ok(Number(match[3]) <= alternatives[0]! + 1e-3);
  }
});
