import { test } from "node:test";
import { SGD, type SgdOptions } from "../../src/optim/index.js";
import { assertClose, freshParams, gradient, loss, U0, valuesOf, W0 } from "./reference-problem.js";
import { type SgdHyper, sgdStep } from "./reference-updates.js";

const STEPS = 5;

/** The float64 reference trajectory: parameter values after each step. */
function referenceTrajectory(h: SgdHyper): number[][][] {
  let params = [W0, U0];
  let buffers: (number[] | undefined)[] = [undefined, undefined];
  const out: number[][][] = [];
  for (let s = 0; s < STEPS; s++) {
    const grads = gradient(params);
    const steps = params.map((p, i) => sgdStep(p, grads[i]!, buffers[i], h));
    params = steps.map((r) => r.p);
    buffers = steps.map((r) => r.buffer);
    out.push(params);
  }
  return out;
}

function check(name: string, h: SgdHyper & Partial<SgdOptions>) {
  const expected = referenceTrajectory(h);
  test(`SGD ${name}: stepOn follows the reference formulas`, () => {
    const params = freshParams();
    const opt = new SGD(params, h);
    for (let s = 0; s < STEPS; s++) {
      opt.stepOn(loss(params));
      assertClose(valuesOf(params), expected[s]!, `step ${s + 1}`);
    }
  });
  test(`SGD ${name}: backward + step follows the reference formulas`, () => {
    const params = freshParams();
    const opt = new SGD(params, h);
    for (let s = 0; s < STEPS; s++) {
      loss(params).backward();
      opt.step();
      assertClose(valuesOf(params), expected[s]!, `step ${s + 1}`);
    }
  });
}

check("plain", { lr: 0.1 });
check("with momentum and dampening", { lr: 0.05, momentum: 0.9, dampening: 0.25 });
check("with Nesterov momentum", { lr: 0.05, momentum: 0.8, nesterov: true });
check("with weight decay and momentum", { lr: 0.1, momentum: 0.5, weightDecay: 0.2 });
