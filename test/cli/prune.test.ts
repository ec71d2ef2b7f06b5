import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

let work: { dir: string; run: string };
before(() => {
  work = tinyTrainedRun({ embd: 32 });
});
after(() => rmSync(work.dir, { recursive: true, force: true }));

const configOf = (run: string, step: string) =>
  JSON.parse(readFileSync(join(run, step, "config.json"), "utf8"));

test("prune zeroes half the Linear weights while fine-tuning, and the result is a checkpoint eval reads", async () => {
  const out = join(work.dir, "sparse");
  const pruned = await runCli([
    "prune",
    "--checkpoint",
    work.run,
    "--sparsity",
    "0.5",
    "--finetune-iters",
    "4",
    "--out",
    out,
  ]);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(
    pruned.stdout,
    /wrote .*sparse\/step-000008: 0\.5 of the Linear weights zeroed \(layer, gradual\)/,
  );
  assert.match(pruned.stdout, /validation loss after 4 fine-tuning steps \d\.\d{4}/);
  const config = configOf(out, "step-000008");
  assert.deepEqual(
    { kind: config.compression[0].kind, sparsity: config.compression[0].sparsity },
    { kind: "prune", sparsity: 0.5 },
  );
  const evaluated = await runCli(["eval", "--checkpoint", out, "--json"]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
});

test("prune --structured heads writes a GPT with fewer heads that generate runs and export refuses", async () => {
  const out = join(work.dir, "heads");
  const pruned = await runCli([
    "prune",
    "--checkpoint",
    work.run,
    "--structured",
    "heads",
    "--sparsity",
    "0.5",
    "--finetune-iters",
    "2",
    "--json",
    "--out",
    out,
  ]);
  assert.equal(pruned.code, 0, pruned.stderr);
  const lines = pruned.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const result = lines.at(-1);
  assert.ok(result.parameters < result.parametersBefore);
  assert.ok(lines.slice(0, -1).every((l) => typeof l.valLoss === "number"));
  const config = configOf(out, "step-000006");
  assert.equal(config.model.config.nHead, 1);
  assert.equal(config.model.config.headDim, 16);
  const generated = await runCli(["generate", "--checkpoint", out, "--prompt", "the", "--max-tokens", "5"]);
  assert.equal(generated.code, 0, generated.stderr);
  const exported = await runCli(["export", "--checkpoint", out, "--out", join(work.dir, "x.gguf")]);
  assert.notEqual(exported.code, 0);
  assert.match(exported.stderr, /gpt2 GGUF files have nEmbd \/ nHead-wide heads; this GPT has 1 heads of 16/);
  const bad = await runCli(["prune", "--checkpoint", work.run, "--sparsity", "1.5", "--out", out]);
  assert.match(bad.stderr, /--sparsity.*expected a number between 0 and 1/);
});
