import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { GgufFile } from "../../src/formats/gguf/gguf-file.js";
import { dequantize, quantize } from "../../src/quant/index.js";
import { TEST_MODELS, testModelPath } from "../fixtures/test-models.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";
import { tinyTrainedRun } from "./train-fixtures.js";

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

test("rows that are not whole super-blocks fall back as llama.cpp does; a bad type is refused", {
  skip: TARGET_INDEPENDENT,
}, async () => {
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

test("quantize --checkpoint writes a quantized checkpoint that eval, generate and export run, or a GGUF file", async () => {
  const { run, dir: work } = tinyTrainedRun({ embd: 32 });
  try {
    const out = join(work, "q4");
    const quantized = await runCli([
      "quantize",
      "--checkpoint",
      run,
      "--bits",
      "4",
      "--method",
      "gptq",
      "--out",
      out,
    ]);
    assert.equal(quantized.code, 0, quantized.stderr);
    assert.match(
      quantized.stdout,
      /wrote .*q4\/step-000004: 4-bit gptq, weights [\d.]+ MiB → [\d.]+ MiB \([\d.]+%\)/,
    );
    assert.match(quantized.stderr, /blocks\.0\.mlp\.proj\.weight \[32, 128\] → Q4_0, relative output error/);
    const config = JSON.parse(readFileSync(join(out, "step-000004", "config.json"), "utf8"));
    assert.deepEqual(config.model.config.weightTypes, { linear: "Q4_0", embedding: "Q8_0" });
    assert.equal(config.compression[0].kind, "quantize");
    assert.equal(config.compression[0].method, "gptq");
    const evaluated = await runCli(["eval", "--checkpoint", out, "--json"]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const floatLoss = JSON.parse((await runCli(["eval", "--checkpoint", run, "--json"])).stdout).valLoss;
    assert.ok(Math.abs(JSON.parse(evaluated.stdout).valLoss - floatLoss) < 0.1);
    const generated = await runCli([
      "generate",
      "--checkpoint",
      out,
      "--prompt",
      "the cat",
      "--max-tokens",
      "8",
    ]);
    assert.equal(generated.code, 0, generated.stderr);
    assert.ok(generated.stdout.startsWith("the cat"));
    const resumed = await runCli(["train", "gpt", "--out", out, "--resume", "--iters", "8"]);
    assert.notEqual(resumed.code, 0);
    assert.match(
      resumed.stderr,
      /holds a compressed model \(quantize\), which train --resume does not continue/,
    );

    const file = join(work, "q8.gguf");
    const toGguf = await runCli(["quantize", "--checkpoint", run, "--bits", "8", "--out", file]);
    assert.equal(toGguf.code, 0, toGguf.stderr);
    using gguf = GgufFile.open(file);
    assert.equal(gguf.tensor("blk.0.ffn_down.weight").type.name, "Q8_0");
    assert.equal(gguf.number("general.file_type"), 7);
    const ran = await runCli(["run", file, "--prompt", "the cat", "--max-tokens", "4", "--temperature", "0"]);
    assert.equal(ran.code, 0, ran.stderr);

    // Quantization-aware fine-tuning first: the steps count on from the source's.
    const qatOut = join(work, "qat4");
    const qat = await runCli([
      "quantize",
      "--checkpoint",
      run,
      "--bits",
      "4",
      "--qat-iters",
      "3",
      "--out",
      qatOut,
    ]);
    assert.equal(qat.code, 0, qat.stderr);
    assert.match(qat.stdout, /wrote .*qat4\/step-000007: 4-bit minmax/);
    const qatConfig = JSON.parse(readFileSync(join(qatOut, "step-000007", "config.json"), "utf8"));
    assert.equal(qatConfig.compression[0].qatIters, 3);
    const qatLoss = JSON.parse((await runCli(["eval", "--checkpoint", qatOut, "--json"])).stdout).valLoss;
    assert.ok(Math.abs(qatLoss - floatLoss) < 0.1, `${qatLoss} against ${floatLoss}`);

    const noBits = await runCli(["quantize", "--checkpoint", run, "--out", out]);
    assert.match(noBits.stderr, /needs --bits 8 or --bits 4/);
    const mixed = await runCli([
      "quantize",
      "--checkpoint",
      run,
      "--type",
      "q8_0",
      "--bits",
      "8",
      "--out",
      out,
    ]);
    assert.match(mixed.stderr, /takes --bits and --out, not IN OUT or --type/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
