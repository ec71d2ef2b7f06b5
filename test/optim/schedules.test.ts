import assert from "node:assert/strict";
import { test } from "node:test";
import {
  constantLr,
  cosineDecay,
  exponentialDecay,
  linearWarmup,
  sequence,
  stepDecay,
  warmupCosine,
} from "../../src/optim/index.js";

/** nanoGPT's get_lr, transcribed from its train.py as the formula to match. */
function nanoGptLr(it: number, warmup: number, decayIters: number, maxLr: number, minLr: number): number {
  if (it < warmup) return (maxLr * (it + 1)) / (warmup + 1);
  if (it > decayIters) return minLr;
  const ratio = (it - warmup) / (decayIters - warmup);
  const coeff = 0.5 * (1.0 + Math.cos(Math.PI * ratio));
  return minLr + coeff * (maxLr - minLr);
}

test("warmupCosine is nanoGPT's get_lr (the baby preset: 100 warm-up, cosine to 1e-4 at 2000)", () => {
  const lr = warmupCosine({ warmup: 100, total: 2000, maxLr: 1e-3, minLr: 1e-4 });
  // Warm-up start, last warm-up iteration, end of warm-up, middle of the decay, end, past the end.
  assert.equal(lr(0), 1e-3 / 101);
  assert.equal(lr(99), (1e-3 * 100) / 101);
  assert.equal(lr(100), 1e-3);
  assert.ok(Math.abs(lr(1050) - 5.5e-4) < 1e-15, `middle: ${lr(1050)}`);
  assert.equal(lr(2000), 1e-4);
  assert.equal(lr(2001), 1e-4);
  assert.equal(lr(5000), 1e-4);
  for (let it = 0; it <= 2100; it++)
    assert.equal(lr(it), nanoGptLr(it, 100, 2000, 1e-3, 1e-4), `iteration ${it}`);
});

test("warmupCosine without warm-up starts at maxLr", () => {
  const lr = warmupCosine({ warmup: 0, total: 10, maxLr: 2, minLr: 1 });
  assert.equal(lr(0), 2);
  assert.equal(lr(5), 1.5);
  assert.equal(lr(10), 1);
});

test("linearWarmup ramps to maxLr and stays there", () => {
  const lr = linearWarmup({ warmup: 4, maxLr: 1 });
  assert.deepEqual([0, 1, 2, 3, 4, 10].map(lr), [0.2, 0.4, 0.6, 0.8, 1, 1]);
});

test("cosineDecay: maxLr, the midpoint, minLr, then minLr", () => {
  const lr = cosineDecay({ maxLr: 1, minLr: 0.2, decayIterations: 8 });
  assert.equal(lr(0), 1);
  assert.ok(Math.abs(lr(4) - 0.6) < 1e-15);
  assert.ok(Math.abs(lr(2) - (0.2 + 0.4 * (1 + Math.SQRT1_2))) < 1e-15);
  assert.equal(lr(8), 0.2);
  assert.equal(lr(100), 0.2);
  assert.equal(cosineDecay({ maxLr: 1, decayIterations: 2 })(2), 0, "minLr defaults to 0");
});

test("exponentialDecay and stepDecay", () => {
  const exp = exponentialDecay({ lr: 0.5, gamma: 0.9 });
  assert.equal(exp(0), 0.5);
  assert.ok(Math.abs(exp(3) - 0.5 * 0.729) < 1e-15);
  const step = stepDecay({ lr: 1, stepSize: 3, gamma: 0.1 });
  assert.deepEqual([0, 2].map(step), [1, 1]);
  assert.ok(Math.abs(step(3) - 0.1) < 1e-15 && Math.abs(step(5) - 0.1) < 1e-15);
  assert.ok(Math.abs(step(6) - 0.01) < 1e-15);
});

test("sequence hands over at milestones, each schedule counting from its own start", () => {
  const lr = sequence(
    [
      constantLr(1),
      exponentialDecay({ lr: 0.5, gamma: 0.5 }),
      stepDecay({ lr: 0.1, stepSize: 2, gamma: 0.5 }),
    ],
    [2, 5],
  );
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(lr), [1, 1, 0.5, 0.25, 0.125, 0.1, 0.1, 0.05]);
});

test("schedules reject bad arguments", () => {
  assert.throws(
    () => warmupCosine({ warmup: 10, total: 10, maxLr: 1, minLr: 0 }),
    /total must be an integer above warmup/,
  );
  assert.throws(() => linearWarmup({ warmup: -1, maxLr: 1 }), /warmup must be an integer/);
  assert.throws(() => cosineDecay({ maxLr: Number.NaN, decayIterations: 5 }), /maxLr must be finite/);
  assert.throws(() => sequence([constantLr(1), constantLr(2)], []), /need 1 milestones/);
  assert.throws(() => sequence([constantLr(1), constantLr(2), constantLr(3)], [3, 3]), /must increase/);
  assert.throws(() => constantLr(1)(-1), /iteration must be an integer/);
  assert.throws(() => stepDecay({ lr: 1, stepSize: 0, gamma: 0.5 }), /stepSize must be an integer ≥ 1/);
});
