import assert from "node:assert/strict";
import { test } from "node:test";
import { Adam, AdamW, warmupCosine } from "../../src/optim/index.js";
import { assertClose, freshParams, gradient, loss, U0, valuesOf, W0 } from "./reference-problem.js";
import { type AdamHyper, adamInit, adamStep } from "./reference-updates.js";

const STEPS = 6;

/** Reference trajectory with per-parameter hyperparameters (as groups give) and an lr per iteration. */
function referenceTrajectory(hyper: (param: number, iteration: number) => AdamHyper): number[][][] {
  let params = [W0, U0];
  let states = params.map((p) => adamInit(p.length));
  const out: number[][][] = [];
  for (let it = 0; it < STEPS; it++) {
    const grads = gradient(params);
    const steps = params.map((p, i) => adamStep(p, grads[i]!, states[i]!, hyper(i, it)));
    params = steps.map((r) => r.p);
    states = steps.map((r) => r.state);
    out.push(params);
  }
  return out;
}

test("Adam follows the reference formulas (default betas, eps)", () => {
  const expected = referenceTrajectory(() => ({ lr: 0.05, decoupled: false }));
  const params = freshParams();
  const opt = new Adam(params, { lr: 0.05 });
  for (let s = 0; s < STEPS; s++) {
    opt.stepOn(loss(params));
    assertClose(valuesOf(params), expected[s]!, `step ${s + 1}`);
  }
});

test("Adam with L2 weight decay (a gradient term) and other betas", () => {
  const h: AdamHyper = { lr: 0.02, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.3, decoupled: false };
  const expected = referenceTrajectory(() => h);
  const params = freshParams();
  const opt = new Adam(params, h);
  for (let s = 0; s < STEPS; s++) {
    loss(params).backward();
    opt.step();
    assertClose(valuesOf(params), expected[s]!, `step ${s + 1}`);
  }
});

test("AdamW decays weights decoupled from the moments", () => {
  const h: AdamHyper = { lr: 0.05, betas: [0.9, 0.99], weightDecay: 0.5, decoupled: true };
  const expected = referenceTrajectory(() => h);
  const params = freshParams();
  const opt = new AdamW(params, h);
  for (let s = 0; s < STEPS; s++) {
    opt.stepOn(loss(params));
    assertClose(valuesOf(params), expected[s]!, `step ${s + 1}`);
  }
  // Decoupled and coupled decay really differ on this problem.
  const coupled = referenceTrajectory(() => ({ ...h, decoupled: false }));
  assert.ok(Math.abs(coupled[STEPS - 1]![0]![0]! - expected[STEPS - 1]![0]![0]!) > 1e-4);
});

test("AdamW with parameter groups: a group with weightDecay 0 is not decayed, a group lr overrides", () => {
  const schedule = warmupCosine({ warmup: 2, total: 5, maxLr: 0.1, minLr: 0.01 });
  const expected = referenceTrajectory((param, it) =>
    param === 0
      ? { lr: schedule(it), betas: [0.9, 0.99], weightDecay: 0.1, decoupled: true }
      : { lr: 0.03, betas: [0.9, 0.99], weightDecay: 0, decoupled: true },
  );
  const [w, u] = freshParams();
  const opt = new AdamW(
    [
      { params: [w!], weightDecay: 0.1 },
      { params: [u!], weightDecay: 0, lr: 0.03 },
    ],
    { lr: schedule, betas: [0.9, 0.99] },
  );
  assert.deepEqual(opt.learningRates(), [schedule(0), 0.03]);
  for (let s = 0; s < STEPS; s++) {
    opt.stepOn(loss([w!, u!]));
    assertClose(valuesOf([w!, u!]), expected[s]!, `step ${s + 1}`);
  }
  assert.equal(opt.iteration, STEPS);
  assert.deepEqual(opt.learningRates(), [schedule(STEPS), 0.03]);
});

test("the two paths agree: stepOn and backward + step", () => {
  const a = freshParams();
  const b = freshParams();
  const optA = new AdamW(a, { lr: 0.05, weightDecay: 0.1 });
  const optB = new AdamW(b, { lr: 0.05, weightDecay: 0.1 });
  for (let s = 0; s < 3; s++) {
    optA.stepOn(loss(a), { clipNorm: 1 });
    loss(b).backward();
    optB.step({ clipNorm: 1 });
  }
  assertClose(valuesOf(a), valuesOf(b), "after 3 steps", 1e-7, 0);
});
