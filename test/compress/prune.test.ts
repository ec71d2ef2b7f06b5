import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { openCompressionSource } from "../../src/compress/compressed-checkpoint.js";
import { pruneStructured, unitsRemoved } from "../../src/compress/prune-structured.js";
import {
  gradualSparsity,
  linearSparsity,
  magnitudeMasks,
  pruneUnstructured,
} from "../../src/compress/prune-unstructured.js";
import { Gpt, type GptConfig } from "../../src/models/gpt/index.js";
import type { Linear } from "../../src/nn/linear.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { adoptArray, tensor } from "../../src/tensor/creation.js";
import { tinyTrainedRun } from "../cli/train-fixtures.js";

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

test("magnitude masks prune exactly the share asked, per matrix or over all of them", () => {
  const a = Float32Array.from([0.1, -5, 0.2, 3, 0, 0, 0, 0]);
  const b = Float32Array.from([9, -8, 7, 0.05]);
  const layer = magnitudeMasks([a, b], 0.5, "layer");
  assert.deepEqual([...layer[0]!], [1, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([...layer[1]!], [1, 1, 0, 0]);
  const global = magnitudeMasks([a, b], 0.5, "global");
  // The six smallest of all twelve: the four zeros, 0.05 and 0.1.
  assert.deepEqual([...global[0]!], [0, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([...global[1]!], [1, 1, 1, 0]);
  assert.throws(() => magnitudeMasks([a], 1, "layer"), /sparsity must be in \[0, 1\)/);
});

test("the gradual schedule rises as a cubic to the final sparsity and stays there", () => {
  assert.equal(gradualSparsity(0.5, 0, 100), 0);
  assert.ok(Math.abs(gradualSparsity(0.5, 50, 100) - 0.5 * (1 - 0.125)) < 1e-12);
  assert.equal(gradualSparsity(0.5, 100, 100), 0.5);
  assert.equal(gradualSparsity(0.5, 150, 100), 0.5);
  assert.equal(unitsRemoved(4, 0.25), 1);
  assert.equal(unitsRemoved(4, 0.01), 1);
  assert.equal(unitsRemoved(4, 0.99), 3);
});

test("unstructured pruning with fine-tuning leaves the asked share of zeros in every Linear", () => {
  const { dir, run } = tinyTrainedRun({ embd: 32 });
  try {
    const source = openCompressionSource(run);
    for (const [scope, schedule] of [
      ["layer", "gradual"],
      ["global", "oneshot"],
    ] as const) {
      const model = new Gpt(source.model.config);
      model.loadStateDict(source.model.stateDict());
      const steps: number[] = [];
      const result = pruneUnstructured(model, source, {
        sparsity: 0.5,
        scope,
        schedule,
        finetuneIters: 6,
        callbacks: [{ onStep: ({ iter }) => void steps.push(iter) }],
      });
      assert.deepEqual(steps, [1, 2, 3, 4, 5, 6]);
      assert.ok(Math.abs(result.sparsity - 0.5) < 1e-3, `${scope}: ${result.sparsity}`);
      assert.ok(Number.isFinite(result.finetune!.lastEvaluation!.valLoss));
      assert.equal(linearSparsity(model), result.sparsity);
      if (scope === "layer") {
        for (const [, m] of model.namedModules()) {
          if (!("weightTransform" in m)) continue;
          const w = (m as Linear).weight.dataSync();
          assert.ok(Math.abs(w.filter((v) => v === 0).length / w.length - 0.5) < 1e-3);
          assert.equal((m as Linear).weightTransform, undefined);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const config: GptConfig = {
  vocabSize: 30,
  blockSize: 8,
  nLayer: 2,
  nHead: 4,
  nEmbd: 32,
  dropout: 0,
  bias: true,
};

function batches(n: number) {
  const rng = new SeededRng(2);
  const ids = () =>
    tensor(
      Int32Array.from({ length: 4 * 8 }, () => rng.nextInt(30)),
      [4, 8],
      { dtype: "int32" },
    );
  return Array.from({ length: n }, () => ({ ids: ids(), targets: ids() }));
}

test("removing heads gives a narrower GPT computing exactly what the original does with them silenced", () => {
  const model = new Gpt(config, { seed: 1 });
  model.eval();
  const {
    model: pruned,
    kept,
    importance,
  } = pruneStructured(model, { unit: "heads", fraction: 0.5, calibration: batches(2) });
  assert.deepEqual(pruned.config, { ...config, nHead: 2, headDim: 8 });
  assert.equal(kept.length, 2);
  for (const [l, units] of kept.entries()) {
    const order = [...importance[l]!.keys()].sort((a, b) => importance[l]![b]! - importance[l]![a]!);
    assert.deepEqual(units, order.slice(0, 2).sort());
    // Silence the removed heads in the original: their columns of the output projection.
    const proj = model.blocks.items[l]!.attn.proj as Linear;
    const mask = new Float32Array(32 * 32).fill(1);
    for (let o = 0; o < 32; o++)
      for (let h = 0; h < 4; h++) if (!units.includes(h)) mask.fill(0, o * 32 + h * 8, o * 32 + h * 8 + 8);
    const silenced = adoptArray(mask, [32, 32]);
    proj.weightTransform = (w) => w.mul(silenced);
  }
  const ids = batches(1)[0]!.ids;
  assert.ok(maxDiff(pruned.forward(ids).dataSync(), model.forward(ids).dataSync()) < 1e-4);
  assert.ok(pruned.parameterCount() < model.parameterCount());
});

test("removing neurons gives a narrower MLP computing what the original does without them", () => {
  const model = new Gpt(config, { seed: 1 });
  model.eval();
  const { model: pruned, kept } = pruneStructured(model, {
    unit: "neurons",
    fraction: 0.25,
    calibration: batches(2),
  });
  assert.deepEqual(pruned.config, { ...config, mlpHidden: 96 });
  for (const [l, units] of kept.entries()) {
    assert.equal(units.length, 96);
    const proj = model.blocks.items[l]!.mlp.proj as Linear;
    const mask = new Float32Array(32 * 128).fill(1);
    for (let o = 0; o < 32; o++) for (let j = 0; j < 128; j++) if (!units.includes(j)) mask[o * 128 + j] = 0;
    const silenced = adoptArray(mask, [32, 128]);
    proj.weightTransform = (w) => w.mul(silenced);
  }
  const ids = batches(1)[0]!.ids;
  assert.ok(maxDiff(pruned.forward(ids).dataSync(), model.forward(ids).dataSync()) < 1e-4);
});
