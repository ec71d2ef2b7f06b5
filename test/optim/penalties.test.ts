import assert from "node:assert/strict";
import { test } from "node:test";
import { tensor } from "../../src/index.js";
import { Adam, l1Penalty, l2Penalty, SGD } from "../../src/optim/index.js";
import { assertClose, freshParams, loss, valuesOf } from "./reference-problem.js";

test("penalty loss terms: l2 is (λ/2)·Σp², l1 is λ·Σ|p|", () => {
  const params = [tensor([1, -2]), tensor([3])];
  assert.ok(Math.abs(l2Penalty(params, 0.1).item() - 0.05 * 14) < 1e-6);
  assert.ok(Math.abs(l1Penalty(params, 0.1).item() - 0.6) < 1e-6);
});

test("l2Penalty in the loss is weightDecay in SGD and Adam", () => {
  for (const make of [
    (ps: ReturnType<typeof freshParams>, wd: number) =>
      new SGD(ps, { lr: 0.1, momentum: 0.5, weightDecay: wd }),
    (ps: ReturnType<typeof freshParams>, wd: number) => new Adam(ps, { lr: 0.05, weightDecay: wd }),
  ]) {
    const asLoss = freshParams();
    const asGradient = freshParams();
    const optLoss = make(asLoss, 0);
    const optGradient = make(asGradient, 0.3);
    for (let s = 0; s < 4; s++) {
      optLoss.stepOn(loss(asLoss).add(l2Penalty(asLoss, 0.3)));
      optGradient.stepOn(loss(asGradient));
    }
    assertClose(valuesOf(asLoss), valuesOf(asGradient), optLoss.kind, 1e-6, 1e-7);
  }
});

test("l1Penalty in the loss is the l1 gradient term", () => {
  const asLoss = freshParams();
  const asGradient = freshParams();
  const optLoss = new SGD(asLoss, { lr: 0.1 });
  const optGradient = new SGD(asGradient, { lr: 0.1, l1: 0.2 });
  for (let s = 0; s < 4; s++) {
    optLoss.stepOn(loss(asLoss).add(l1Penalty(asLoss, 0.2)));
    optGradient.stepOn(loss(asGradient));
  }
  assertClose(valuesOf(asLoss), valuesOf(asGradient), "l1", 1e-6, 1e-7);
  // And it did something: without it the parameters end elsewhere.
  const plain = freshParams();
  const opt = new SGD(plain, { lr: 0.1 });
  for (let s = 0; s < 4; s++) opt.stepOn(loss(plain));
  assert.ok(Math.abs(valuesOf(plain)[0]![0]! - valuesOf(asGradient)[0]![0]!) > 1e-3);
});

test("penalties reject negative strengths", () => {
  assert.throws(() => l2Penalty([tensor([1])], -1), /strength must be finite and ≥ 0/);
  assert.throws(() => new SGD([tensor([1])], { lr: 1, l1: -1 }), /l1 must be finite and ≥ 0/);
});
