import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  backwardLog,
  backwardScaled,
  createRandom,
  forwardLog,
  forwardScaled,
  randomHmm,
  sampleHmm,
} from "../../../src/models/hmm/index.js";
import { assertCloseLog, enumeratePaths, smallModelAndSequence } from "./brute-force.js";

test("forward likelihood (scaled and log space) matches enumeration over all state paths", () => {
  fc.assert(
    fc.property(smallModelAndSequence({ allowZeros: true }), ({ hmm, observations }) => {
      const expected = Math.log(enumeratePaths(hmm, observations).likelihood);
      assertCloseLog(forwardScaled(hmm, observations).logLikelihood, expected);
      assertCloseLog(forwardLog(hmm, observations).logLikelihood, expected);
      assertCloseLog(backwardLog(hmm, observations).logLikelihood, expected);
    }),
    { numRuns: 300 },
  );
});

test("scaled forward-backward equals log-space forward-backward once the scales are undone", () => {
  fc.assert(
    fc.property(smallModelAndSequence({ allowZeros: false, maxLength: 12 }), ({ hmm, observations }) => {
      const n = hmm.numStates;
      const scaled = forwardScaled(hmm, observations);
      const beta = backwardScaled(hmm, observations, scaled.scales);
      const { logAlpha } = forwardLog(hmm, observations);
      const { logBeta } = backwardLog(hmm, observations);
      // alpha_hat[t] = alpha[t] / (c_0 ... c_t) and beta_hat[t] = beta[t] / (c_{t+1} ... c_{T-1}).
      let logScalesUpTo = 0;
      const logScalesTotal = scaled.scales.reduce((sum, c) => sum + Math.log(c), 0);
      for (let t = 0; t < observations.length; t++) {
        logScalesUpTo += Math.log(scaled.scales[t]!);
        for (let i = 0; i < n; i++) {
          assertCloseLog(Math.log(scaled.alpha[t * n + i]!) + logScalesUpTo, logAlpha[t * n + i]!);
          assertCloseLog(
            Math.log(beta[t * n + i]!) + logScalesTotal - logScalesUpTo,
            logBeta[t * n + i]!,
            1e-8,
          );
        }
      }
    }),
    { numRuns: 200 },
  );
});

test("long sequences do not underflow, and both spaces agree on the log-likelihood", () => {
  const random = createRandom(7);
  const hmm = randomHmm(4, 6, random);
  const { observations } = sampleHmm(hmm, 5000, random);
  const scaled = forwardScaled(hmm, observations).logLikelihood;
  const logSpace = forwardLog(hmm, observations).logLikelihood;
  assert.ok(Number.isFinite(scaled) && scaled < -1000, `log-likelihood ${scaled}`);
  assertCloseLog(scaled, logSpace, 1e-10);
  assertCloseLog(backwardLog(hmm, observations).logLikelihood, logSpace, 1e-10);
});

test("an impossible sequence has log-likelihood -Infinity and no scaled backward pass", () => {
  const hmm = randomHmm(2, 3, createRandom(1));
  const blocked = { ...hmm, emission: Float64Array.from([0.5, 0.5, 0, 0.5, 0.5, 0]) };
  const forward = forwardScaled(blocked, [0, 2, 1]);
  assert.equal(forward.logLikelihood, Number.NEGATIVE_INFINITY);
  assert.equal(forwardLog(blocked, [0, 2, 1]).logLikelihood, Number.NEGATIVE_INFINITY);
  assert.throws(() => backwardScaled(blocked, [0, 2, 1], forward.scales), /probability zero.*position 1/);
});
