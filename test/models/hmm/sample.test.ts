import assert from "node:assert/strict";
import { test } from "node:test";
import { createHmm, createRandom, randomHmm, sampleHmm, validateHmm } from "../../../src/models/hmm/index.js";

test("randomHmm draws valid, reproducible models with every entry positive", () => {
  const a = randomHmm(3, 5, createRandom(9));
  validateHmm(a, 1e-12);
  assert.deepEqual(a, randomHmm(3, 5, createRandom(9)));
  for (const values of [a.initial, a.transition, a.emission]) assert.ok(values.every((p) => p > 0));
});

test("sampled paths follow the chain and sampled symbols follow the emissions", () => {
  const hmm = createHmm({
    initial: [0, 1],
    transition: [
      [0.9, 0.1],
      [0.5, 0.5],
    ],
    emission: [
      [1, 0, 0],
      [0, 0.25, 0.75],
    ],
  });
  const { states, observations } = sampleHmm(hmm, 30_000, createRandom(2));
  assert.equal(states[0], 1);
  const inStateZero = states.filter((s) => s === 0).length / states.length;
  assert.ok(Math.abs(inStateZero - 5 / 6) < 0.02, `share of time in state 0: ${inStateZero}`);
  states.forEach((state, t) => {
    assert.equal(observations[t] === 0, state === 0, `step ${t}`);
  });
  const symbolTwoInStateOne =
    observations.filter((o) => o === 2).length / (states.length - states.filter((s) => s === 0).length);
  assert.ok(Math.abs(symbolTwoInStateOne - 0.75) < 0.03, `${symbolTwoInStateOne}`);
  assert.throws(() => sampleHmm(hmm, 0, createRandom(1)), /positive integer/);
});
