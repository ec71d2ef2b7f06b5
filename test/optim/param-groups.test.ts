import assert from "node:assert/strict";
import { test } from "node:test";
import { noGrad, tensor } from "../../src/index.js";
import { Adam, AdamW, SGD } from "../../src/optim/index.js";
import { freshParams, loss } from "./reference-problem.js";

test("groups take the defaults and override them", () => {
  const [w, u] = freshParams();
  const opt = new AdamW([{ params: [w!] }, { params: [u!], weightDecay: 0, betas: [0.5, 0.9] }], {
    lr: 0.01,
    weightDecay: 0.1,
  });
  assert.equal(opt.paramGroups[0]!.weightDecay, 0.1);
  assert.deepEqual(opt.paramGroups[0]!.betas, [0.9, 0.999]);
  assert.equal(opt.paramGroups[1]!.weightDecay, 0);
  assert.deepEqual(opt.paramGroups[1]!.betas, [0.5, 0.9]);
  assert.deepEqual(opt.params(), [w, u]);
  assert.equal(new AdamW([w!]).paramGroups[0]!.weightDecay, 0.01, "PyTorch's AdamW default");
  assert.equal(new Adam([w!]).paramGroups[0]!.weightDecay, 0);
});

test("a group's lr can be changed between steps, as in PyTorch", () => {
  const params = freshParams();
  const opt = new SGD(params, { lr: 0.1 });
  opt.paramGroups[0]!.lr = 0;
  const before = params.map((p) => Array.from(p.dataSync()));
  opt.stepOn(loss(params));
  assert.deepEqual(
    params.map((p) => Array.from(p.dataSync())),
    before,
  );
});

test("a step clears .grad; step without any gradient is an error; zeroGrad forgets gradients", () => {
  const params = freshParams();
  const opt = new SGD(params, { lr: 0.1 });
  loss(params).backward();
  assert.ok(params[0]!.grad);
  opt.zeroGrad();
  assert.equal(params[0]!.grad, undefined);
  assert.throws(() => opt.step(), /no parameter has a gradient/);
  loss(params).backward();
  opt.step();
  assert.equal(params[0]!.grad, undefined);
  assert.equal(params[0]!.requiresGrad, true, "the parameter is still a leaf that requires grad");
});

test("parameters without a gradient are skipped by step and keep their state", () => {
  const [w, u] = freshParams();
  const opt = new Adam([w!, u!], { lr: 0.1 });
  w!.mul(w!).sum().backward();
  const uBefore = Array.from(u!.dataSync());
  opt.step();
  assert.deepEqual(Array.from(u!.dataSync()), uBefore);
  assert.deepEqual(opt.stateDict().steps, [1, 0]);
});

test("bad parameters and options are errors", () => {
  const [w, u] = freshParams();
  assert.throws(() => new SGD([], { lr: 1 }), /empty parameter list/);
  assert.throws(() => new SGD([{ params: [w!] }, { params: [w!] }], { lr: 1 }), /more than one place/);
  assert.throws(() => new SGD([tensor([1, 2], { dtype: "int32" })], { lr: 1 }), /must be float32/);
  assert.throws(() => new SGD([w!], { lr: 1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new SGD([w!], { lr: 1, momentum: -0.1 }), /momentum must be finite and ≥ 0/);
  assert.throws(() => new Adam([w!], { betas: [1, 0.9] }), /β₁ must be in \[0, 1\)/);
  assert.throws(() => new AdamW([{ params: [u!], eps: -1 }]), /eps must be finite and ≥ 0/);
  const opt = new SGD([w!, u!], { lr: () => Number.NaN });
  assert.throws(() => opt.stepOn(loss([w!, u!])), /learning rate at iteration 0 is NaN/);
});

test("stepOn skips parameters the loss does not reach, as step skips those without .grad", () => {
  const [w, u] = freshParams();
  const opt = new AdamW([w!, u!], { lr: 0.1, weightDecay: 0.5 });
  const uBefore = Array.from(u!.dataSync());
  opt.stepOn(w!.mul(w!).sum());
  assert.deepEqual(Array.from(u!.dataSync()), uBefore, "not even decayed");
  assert.deepEqual(opt.stateDict().steps, [1, 0]);
  assert.throws(() => opt.stepOn(noGrad(() => loss([w!, u!]))), /built under noGrad/);
  assert.throws(
    () => opt.stepOn(tensor([1], { requiresGrad: true }).sum()),
    /does not depend on any parameter/,
  );
});
