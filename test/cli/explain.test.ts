import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";

const INDEX = fileURLToPath(new URL("../../src/index.js", import.meta.url));

function script(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-explain-"));
  const path = join(dir, "script.mjs");
  writeFileSync(path, `import { randn, Tensor } from ${JSON.stringify(INDEX)};\n${body}\n`);
  return path;
}

test("explain prints the kernels, the fused instructions and a time profile", async () => {
  const path = script(`export default () => {
  const x = randn([32, 64], { seed: 1 });
  Tensor.realize(x);
  return x.sub(x.mean(1, true)).softmax();
};`);
  const { code, stdout, stderr } = await runCli(["explain", path, "--runs", "1", "--target", "wasm"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^target wasm: \d+ instructions → \d+ kernels, arena/);
  assert.match(stdout, /reduce-max .* reduceMax sub exp/);
  assert.match(stdout, /^total [\d.]+ ms: /m);
});

test("explain refuses a script whose default export is not a function", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const path = script("export default 42;");
  const { code, stderr } = await runCli(["explain", path]);
  assert.notEqual(code, 0);
  assert.match(stderr, /the default export must be a function/);
});
