import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { GgufFile } from "../../src/formats/gguf/gguf-file.js";
import { dequantize, quantize } from "../../src/quant/index.js";
import { TEST_MODELS, testModelPath } from "../fixtures/test-models.js";
import { runCli } from "./run-cli.js";

let dir: string;
let model: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "cli-quantize-"));
  model = testModelPath(TEST_MODELS.tiny, "F32", dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("quantize converts every weight matrix, keeps the rest, and the model runs", async () => {
  const out = join(dir, "tiny-q4_0.gguf");
  const { code, stdout, stderr } = await runCli(["quantize", model, out, "--type", "q4_0"]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /wrote .*tiny-q4_0\.gguf: tensor data [\d.]+ MiB → [\d.]+ MiB/);
  assert.match(stderr, /blk\.0\.attn_q\.weight \[64, 64\] F32 → Q4_0/);
  using source = GgufFile.open(model);
  using result = GgufFile.open(out);
  assert.equal(result.number("general.file_type"), 2);
  assert.equal(result.string("general.architecture"), "llama");
  assert.equal(result.tensors.length, source.tensors.length);
  for (const info of source.tensors) {
    const converted = result.tensor(info.name);
    if (info.shape.length === 1) {
      assert.equal(converted.type.name, "F32", `${info.name} stays F32`);
      continue;
    }
    assert.equal(converted.type.name, "Q4_0", info.name);
    // The bytes are the codec's, which are ggml's reference quantizer's.
    const values = dequantize("F32", source.readTensorBytes(info), info.dims[0]!);
    assert.deepEqual(result.readTensorBytes(converted), quantize("Q4_0", values, info.dims[0]!));
  }
  const run = await runCli([
    "run",
    out,
    "--prompt",
    "Once upon a time",
    "--max-tokens",
    "4",
    "--temperature",
    "0",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.stdout.startsWith("Once upon a time"));
});

test("rows that are not whole super-blocks fall back as llama.cpp does; a bad type is refused", async () => {
  const out = join(dir, "tiny-q4_k.gguf");
  const { code, stdout, stderr } = await runCli(["quantize", model, out, "--type", "Q4_K"]);
  assert.equal(code, 0, stderr);
  // The tiny model's rows are 64 or 128 long: Q4_K needs 256, so its matrices become Q5_0.
  assert.match(stdout, /matrices as Q5_0 \(rows not whole Q4_K blocks\)/);
  using result = GgufFile.open(out);
  assert.equal(result.tensor("blk.0.ffn_up.weight").type.name, "Q5_0");
  const bad = await runCli(["quantize", model, join(dir, "x.gguf"), "--type", "q3_k"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown tensor type "q3_k" \(known: F32, F16, BF16, Q8_0/);
});
