import assert from "node:assert/strict";
import { test } from "node:test";
import { quantizeGpt } from "../../src/compress/quantize-gpt.js";
import { GptBatchDecoder } from "../../src/models/gpt/batch-decoder.js";
import { Gpt, type GptConfig } from "../../src/models/gpt/index.js";
import { BatchKvCache } from "../../src/nn/batch-kv-cache.js";
import { QuantizedEmbedding } from "../../src/nn/quantized-embedding.js";
import { QuantizedLinear } from "../../src/nn/quantized-linear.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { tensor } from "../../src/tensor/creation.js";

const config: GptConfig = {
  vocabSize: 40,
  blockSize: 16,
  nLayer: 2,
  nHead: 2,
  nEmbd: 32,
  dropout: 0,
  bias: true,
};

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

function randomIds(rows: number, seed: number) {
  const rng = new SeededRng(seed);
  return tensor(
    Int32Array.from({ length: rows * 16 }, () => rng.nextInt(40)),
    [rows, 16],
    { dtype: "int32" },
  );
}

function fixture() {
  const model = new Gpt(config, { seed: 3 });
  model.eval();
  const ids = randomIds(2, 5);
  const calibration = randomIds(8, 6);
  return { model, ids, calibration, logits: model.forward(ids).dataSync() };
}

test("a quantized GPT holds packed layers, runs close to the float one, and reloads from its state dict", () => {
  const { model, ids, calibration, logits } = fixture();
  const scale = Math.max(...Array.from(logits, Math.abs));
  for (const [bits, method, tolerance] of [
    [8, "minmax", 0.02],
    [8, "percentile", 0.05],
    [4, "mse", 0.25],
    [4, "gptq", 0.25],
  ] as const) {
    const reports: string[] = [];
    const { model: q, layers } = quantizeGpt(model, {
      bits,
      method,
      calibration,
      calibrationBatch: 4,
      onLayer: (layer) => reports.push(layer.name),
    });
    assert.deepEqual(q.config.weightTypes, { linear: bits === 8 ? "Q8_0" : "Q4_0", embedding: "Q8_0" });
    assert.ok(q.wte instanceof QuantizedEmbedding && q.blocks.items[1]!.mlp.proj instanceof QuantizedLinear);
    assert.equal(layers.length, 2 + 4 * config.nLayer);
    assert.deepEqual(
      reports,
      layers.map((l) => l.name),
    );
    const got = q.forward(ids).dataSync();
    assert.ok(
      maxDiff(got, logits) < tolerance * scale,
      `${bits} ${method}: ${maxDiff(got, logits)} of ${scale}`,
    );
    // A checkpoint's config and state dict rebuild the same model.
    const again = new Gpt(q.config);
    again.loadStateDict(q.stateDict());
    again.eval();
    assert.deepEqual(again.forward(ids).dataSync(), got);
  }
  // The source model is left as it was.
  assert.deepEqual(model.forward(ids).dataSync(), logits);
});

test("the serving decoder runs a quantized GPT on the quantized weights, as the model does", () => {
  const { model, calibration } = fixture();
  const { model: q } = quantizeGpt(model, { bits: 4, method: "gptq", calibration });
  const decoder = new GptBatchDecoder(q);
  const cache = new BatchKvCache({ ...decoder.kvShape, capacity: 16, rows: 1 });
  const prompt = [3, 14, 15, 9, 2];
  const step = cache.step(0, 1, prompt.length);
  const served = decoder.logits(Int32Array.from(prompt), step, [prompt.length - 1]).dataSync();
  const direct = q.forward(tensor(prompt, [1, prompt.length], { dtype: "int32" })).dataSync();
  assert.ok(maxDiff(served, direct.subarray((prompt.length - 1) * 40)) < 1e-4);
});

test("quantizing refuses what it cannot do, saying why", () => {
  const { model } = fixture();
  assert.throws(() => quantizeGpt(model, { bits: 4, method: "gptq" }), /method gptq needs calibration data/);
  assert.throws(() => quantizeGpt(model, { bits: 3 as 4, method: "minmax" }), /bits must be 8 or 4, got 3/);
  const narrow = new Gpt({ ...config, nEmbd: 16 });
  assert.throws(
    () => quantizeGpt(narrow, { bits: 8, method: "minmax" }),
    /embedding width 16 is not a multiple of 32/,
  );
  const { model: q } = quantizeGpt(model, { bits: 8, method: "minmax" });
  assert.throws(() => quantizeGpt(q, { bits: 8, method: "minmax" }), /quantized already/);
});
