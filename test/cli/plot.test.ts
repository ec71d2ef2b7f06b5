import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

const { dir, run } = tinyTrainedRun();

test("plot draws a run's log as an SVG file", async () => {
  const out = join(dir, "curve.svg");
  const { code, stdout, stderr } = await runCli([
    "plot",
    join(run, "log.jsonl"),
    "--out",
    out,
    "--title",
    "tiny",
  ]);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  assert.equal(stdout, `wrote ${out} (4 steps, 3 evaluations)\n`);
  const svg = readFileSync(out, "utf8");
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>\n/);
  assert.match(svg, />tiny<\/text>/);
  assert.equal(svg.match(/<polyline /g)?.length, 3);
  // A run directory works too, and the SVG goes next to its log by default.
  const fromDir = await runCli(["plot", run]);
  assert.equal(fromDir.code, 0);
  assert.match(readFileSync(join(run, "log.svg"), "utf8"), /<\/svg>\n$/);
});

test("bad input: a missing log, a log that is not one", { skip: TARGET_INDEPENDENT }, async () => {
  writeFileSync(join(dir, "bad.jsonl"), '{"type":"step","iter":1,"loss":2}\nnot json\n');
  const missing = await runCli(["plot", join(dir, "missing.jsonl")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^infiniset: error: Training log not found: .*missing\.jsonl\n$/);
  const bad = await runCli(["plot", join(dir, "bad.jsonl")]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^infiniset: error: .*bad\.jsonl: line 2 is not valid JSON\n$/);
});
