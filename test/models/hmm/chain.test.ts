import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createHmm,
  createRandom,
  dominantStateBySymbol,
  logSumExp,
  stationaryDistribution,
  symbolStatePosteriors,
} from "../../../src/models/hmm/index.js";

test("the seeded generator is reproducible, in [0, 1), and roughly uniform", () => {
  const draw = (seed: number) => Array.from({ length: 10_000 }, createRandom(seed).next);
  const a = draw(123);
  assert.deepEqual(a, draw(123));
  assert.notDeepEqual(a.slice(0, 10), draw(124).slice(0, 10));
  assert.ok(a.every((u) => u >= 0 && u < 1));
  const mean = a.reduce((s, u) => s + u, 0) / a.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  const lowerTenth = a.filter((u) => u < 0.1).length / a.length;
  assert.ok(Math.abs(lowerTenth - 0.1) < 0.01, `share below 0.1: ${lowerTenth}`);
});

test("logSumExp is stable for large magnitudes and all-impossible inputs", () => {
  assert.ok(Math.abs(logSumExp(Float64Array.of(-1000, -1000)) - (-1000 + Math.LN2)) < 1e-12);
  assert.ok(Math.abs(logSumExp(Float64Array.of(800, 800)) - (800 + Math.LN2)) < 1e-12);
  assert.equal(logSumExp(Float64Array.of(-Infinity, -Infinity)), -Infinity);
});

const emission = [
  [0.5, 0.5],
  [0.5, 0.5],
];

test("stationary distribution: a known chain, and a periodic one", () => {
  const skewed = createHmm({
    initial: [1, 0],
    transition: [
      [0.9, 0.1],
      [0.5, 0.5],
    ],
    emission,
  });
  const p = stationaryDistribution(skewed);
  assert.ok(Math.abs(p[0]! - 5 / 6) < 1e-10 && Math.abs(p[1]! - 1 / 6) < 1e-10, `${p}`);
  const flipFlop = createHmm({
    initial: [1, 0],
    transition: [
      [0, 1],
      [1, 0],
    ],
    emission,
  });
  const q = stationaryDistribution(flipFlop);
  assert.ok(Math.abs(q[0]! - 0.5) < 1e-10 && Math.abs(q[1]! - 0.5) < 1e-10, `${q}`);
});

test("symbols are assigned to states by emission probability weighted by state occupancy", () => {
  // State 0 is occupied 5/6 of the time. Symbol 1 has B = 0.3 in state 0 and 0.6 in state 1:
  // raw B points to state 1, but 5/6·0.3 > 1/6·0.6, so state 0 emits most of its occurrences.
  const hmm = createHmm({
    initial: [1, 0],
    transition: [
      [0.9, 0.1],
      [0.5, 0.5],
    ],
    emission: [
      [0.7, 0.3, 0],
      [0, 0.6, 0.4],
    ],
  });
  const shares = symbolStatePosteriors(hmm);
  assert.ok(Math.abs(shares[2]! - ((5 / 6) * 0.3) / ((5 / 6) * 0.3 + (1 / 6) * 0.6)) < 1e-9);
  assert.deepEqual([...dominantStateBySymbol(hmm)], [0, 0, 1]);
  assert.deepEqual([...dominantStateBySymbol(hmm, Float64Array.of(0.5, 0.5))], [0, 1, 1]);
  assert.throws(() => symbolStatePosteriors(hmm, Float64Array.of(1)), /1 weights for 2 states/);
});
