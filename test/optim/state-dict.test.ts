import assert from "node:assert/strict";
import { test } from "node:test";
import { type Tensor, tensor } from "../../src/index.js";
import { Adam, AdamW, type OptimizerStateDict, SGD, warmupCosine } from "../../src/optim/index.js";
import { classifierLoss, tinyClassifier } from "./tiny-classifier.js";

type Model = ReturnType<typeof tinyClassifier>;
const makers: Record<string, (m: Model) => AdamW | SGD> = {
  AdamW: (m) =>
    new AdamW(
      [
        { params: [m.weight], weightDecay: 0.1 },
        { params: [m.bias], weightDecay: 0 },
      ],
      { lr: warmupCosine({ warmup: 2, total: 5, maxLr: 0.1, minLr: 0.01 }), betas: [0.9, 0.99] },
    ),
  SGD: (m) => new SGD([m.weight, m.bias], { lr: (it) => 0.2 * 0.8 ** it, momentum: 0.9, dampening: 0.1 }),
};

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

/** A JSON round trip of the numbers, and fresh tensors for the tensors: what a checkpoint on disk gives back. */
function throughCheckpoint(dict: OptimizerStateDict): OptimizerStateDict {
  const { tensors, ...numbers } = dict;
  const copied = Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [name, tensor(Float32Array.from(t.dataSync()), [...t.shape])]),
  );
  return { ...JSON.parse(JSON.stringify(numbers)), tensors: copied };
}

for (const [kind, make] of Object.entries(makers)) {
  test(`${kind}: 3 steps, save, restore into a fresh optimizer, 3 steps = 6 steps, bit for bit`, () => {
    const straight = tinyClassifier();
    const opt = make(straight);
    for (let s = 0; s < 6; s++) opt.stepOn(classifierLoss(straight, s), { clipNorm: 0.5 });

    const first = tinyClassifier();
    const before = make(first);
    for (let s = 0; s < 3; s++) before.stepOn(classifierLoss(first, s), { clipNorm: 0.5 });
    const saved = throughCheckpoint(before.stateDict());
    // Later steps must not change the saved snapshot.
    const snapshot = Object.fromEntries(Object.entries(saved.tensors).map(([k, t]) => [k, bits(t)]));

    const resumed = {
      weight: tensor(Float32Array.from(first.weight.dataSync()), [3, 2], { requiresGrad: true }),
      bias: tensor(Float32Array.from(first.bias.dataSync()), [2], { requiresGrad: true }),
    };
    const after = make(resumed);
    after.loadStateDict(saved);
    for (let s = 3; s < 6; s++) {
      after.stepOn(classifierLoss(resumed, s), { clipNorm: 0.5 });
      before.stepOn(classifierLoss(first, s), { clipNorm: 0.5 });
    }
    assert.deepEqual(bits(resumed.weight), bits(straight.weight));
    assert.deepEqual(bits(resumed.bias), bits(straight.bias));
    for (const [k, t] of Object.entries(saved.tensors))
      assert.deepEqual(bits(t), snapshot[k], `${k} unchanged`);
  });
}

test("a state dict holds named tensors and numbers", () => {
  const m = tinyClassifier();
  const opt = new AdamW([{ params: [m.weight] }, { params: [m.bias], weightDecay: 0, lr: 0.01 }], {
    lr: warmupCosine({ warmup: 2, total: 5, maxLr: 0.1, minLr: 0.01 }),
  });
  const empty = opt.stateDict();
  assert.deepEqual(empty.steps, [0, 0]);
  assert.deepEqual(Object.keys(empty.tensors), []);
  opt.stepOn(classifierLoss(m, 0));
  const dict = opt.stateDict();
  assert.equal(dict.kind, "AdamW");
  assert.equal(dict.iteration, 1);
  assert.deepEqual(dict.steps, [1, 1]);
  assert.deepEqual(Object.keys(dict.tensors).sort(), ["0.expAvg", "0.expAvgSq", "1.expAvg", "1.expAvgSq"]);
  assert.deepEqual(dict.tensors["0.expAvg"]!.shape, [3, 2]);
  assert.deepEqual(dict.groups, [
    { size: 1, options: { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, l1: 0 } },
    { size: 1, options: { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, l1: 0 } },
  ]);
});

test("loading restores hyperparameters but keeps a schedule", () => {
  const m = tinyClassifier();
  const source = new Adam([m.weight, m.bias], { lr: 0.5, eps: 1e-3 });
  source.stepOn(classifierLoss(m, 0));
  const schedule = (it: number) => 0.1 * (it + 1);
  const numeric = new Adam([m.weight, m.bias], { lr: 0.2 });
  numeric.loadStateDict(source.stateDict());
  assert.equal(numeric.paramGroups[0]!.lr, 0.5);
  assert.equal(numeric.paramGroups[0]!.eps, 1e-3);
  const scheduled = new Adam([m.weight, m.bias], { lr: schedule });
  scheduled.loadStateDict(source.stateDict());
  assert.equal(scheduled.paramGroups[0]!.lr, schedule);
  assert.deepEqual(scheduled.learningRates(), [0.2], "iteration 1 restored");
});

test("loading a state that does not fit is an error and changes nothing", () => {
  const m = tinyClassifier();
  const adam = new Adam([m.weight, m.bias]);
  adam.stepOn(classifierLoss(m, 0));
  const dict = adam.stateDict();
  const fresh = new Adam([m.weight, m.bias]);
  assert.throws(
    () => new SGD([m.weight, m.bias], { lr: 1 }).loadStateDict(dict),
    /the state is from Adam, not SGD/,
  );
  assert.throws(
    () => new Adam([m.weight]).loadStateDict(dict),
    /groups of \[2\] parameters, this optimizer \[1\]/,
  );
  assert.throws(
    () => new Adam([m.bias, m.weight]).loadStateDict(dict),
    /tensor 0\.expAvg is float32 \[3,2\]/,
  );
  const { "1.expAvgSq": _, ...missing } = dict.tensors;
  assert.throws(() => fresh.loadStateDict({ ...dict, tensors: missing }), /lacks tensor 1\.expAvgSq/);
  assert.equal(fresh.iteration, 0);
  assert.deepEqual(fresh.stateDict().steps, [0, 0]);
});
