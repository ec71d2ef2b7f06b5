import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { availableTargets, withTarget } from "../../../src/index.js";
import { type GptTrainingSettings, presetSettings } from "../../../src/train/gpt-settings.js";
import { trainGpt } from "../../../src/train/train-language-model.js";
import { webgpuTarget } from "../../helpers/targets-under-test.js";

/**
 * A few steps of the baby GPT (its architecture, layers, optimizer and schedule, at a
 * width SwiftShader runs in seconds) on webgpu and on a CPU target: the same losses. Every
 * instruction of a training step runs here: embedding gathers and their scatter-add
 * gradients, attention, layer norm, cross-entropy, AdamW, gradient clipping, dropout.
 */
const { target: webgpu, skip } = webgpuTarget();
const dir = mkdtempSync(join(tmpdir(), "infiniset-webgpu-gpt-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const corpus = join(dir, "corpus.txt");
writeFileSync(corpus, "the cat sat on the mat. the dog sat on the log. ".repeat(30));

const settings: GptTrainingSettings = {
  ...presetSettings("baby"),
  data: corpus,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  blockSize: 16,
  batchSize: 4,
  iterations: 4,
  decayIterations: 4,
  warmup: 1,
  evalInterval: 4,
  evalBatches: 1,
  checkpointEvery: 4,
  dropout: 0.1,
};

test("baby-GPT training steps on webgpu give the CPU targets' losses", { skip }, () => {
  const losses = (target: Parameters<typeof withTarget>[0], out: string) =>
    withTarget(target, () => trainGpt({ settings, out: join(dir, out) })).stepLosses.map((s) => s.loss);
  const gpu = losses(webgpu!, "webgpu");
  assert.equal(gpu.length, 4);
  assert.ok(gpu[3]! < gpu[0]!, `the loss falls: ${gpu.join(", ")}`);
  // The oracle, and the native target where a C compiler works.
  const cpus = availableTargets().filter((t) => t.name === "ref" || t.name === "native");
  for (const cpu of cpus) {
    const expected = losses(cpu, cpu.name);
    gpu.forEach((loss, i) => {
      const close = Math.abs(loss - expected[i]!) <= 1e-4 * Math.abs(expected[i]!);
      assert.ok(close, `step ${i + 1}: ${loss} on webgpu, ${expected[i]} on ${cpu.name}`);
    });
  }
});
