import assert from "node:assert/strict";
import { test } from "node:test";
import { clearProgramCache, compileCount, gradients, noGrad, Tensor } from "../../src/index.js";
import { AdamW, SGD, warmupCosine } from "../../src/optim/index.js";
import { classifierLoss, tinyClassifier } from "./tiny-classifier.js";

const STEPS = 8;

test("stepOn: the whole step is one program, compiled once; lr and bias corrections are inputs", () => {
  clearProgramCache();
  const model = tinyClassifier();
  const schedule = warmupCosine({ warmup: 2, total: 6, maxLr: 0.1, minLr: 0.01 });
  const opt = new AdamW(
    [
      { params: [model.weight], weightDecay: 0.1 },
      { params: [model.bias], weightDecay: 0 },
    ],
    { lr: schedule, betas: [0.9, 0.99] },
  );
  const counts: number[] = [];
  const lrs: number[] = [];
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const before = compileCount();
    lrs.push(opt.learningRates()[0]!);
    losses.push(opt.stepOn(classifierLoss(model, step), { clipNorm: 0.5 }).loss);
    counts.push(compileCount() - before);
  }
  // Loss, gradients, clip and update: one program in the first step, none after it.
  assert.deepEqual(counts, [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(
    new Set(lrs).size,
    STEPS - 1,
    "the learning rate changed every step (it is flat only past the end, iteration 6)",
  );
  assert.equal(new Set(losses).size, STEPS, "every step computed a new loss");
});

test("the classic path: backward compiles once and step compiles once", () => {
  clearProgramCache();
  const model = tinyClassifier();
  const opt = new SGD([model.weight, model.bias], {
    lr: (it) => 0.1 / (it + 1),
    momentum: 0.9,
    nesterov: true,
  });
  const counts: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const before = compileCount();
    classifierLoss(model, step).backward();
    opt.step({ clipNorm: 1 });
    counts.push(compileCount() - before);
  }
  // SGD's first momentum step feeds μ = 0 and 1 − d = 1 as inputs, so it is the same program too.
  assert.deepEqual(counts, [2, 0, 0, 0, 0, 0, 0, 0]);
});

test("the test can tell: a learning rate baked in as a constant compiles every step", () => {
  clearProgramCache();
  const model = tinyClassifier();
  const counts: number[] = [];
  for (let step = 0; step < 4; step++) {
    const before = compileCount();
    const loss = classifierLoss(model, step);
    const [gw] = gradients(loss, [model.weight]);
    const next = noGrad(() => model.weight.sub(gw!.mul(0.1 / (step + 1))));
    Tensor.realize(loss, next);
    model.weight.assign(next);
    counts.push(compileCount() - before);
  }
  assert.deepEqual(counts, [1, 1, 1, 1]);
});
