import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { posteriorDecode } from "../../../src/models/hmm/index.js";
import { enumeratePaths, smallModelAndSequence } from "./brute-force.js";

test("posteriors sum to 1 per step and match enumeration, in both spaces", () => {
  fc.assert(
    fc.property(smallModelAndSequence({ allowZeros: true }), ({ hmm, observations }) => {
      const { likelihood, jointMarginals } = enumeratePaths(hmm, observations);
      fc.pre(likelihood > 0);
      const n = hmm.numStates;
      for (const space of ["scaled", "log"] as const) {
        const { posteriors, path } = posteriorDecode(hmm, observations, space);
        for (let t = 0; t < observations.length; t++) {
          let sum = 0;
          for (let i = 0; i < n; i++) {
            const expected = jointMarginals[t * n + i]! / likelihood;
            assert.ok(Math.abs(posteriors[t * n + i]! - expected) < 1e-9, `${space} t=${t} i=${i}`);
            sum += posteriors[t * n + i]!;
          }
          assert.ok(Math.abs(sum - 1) < 1e-12, `${space} posteriors at step ${t} sum to ${sum}`);
          for (let i = 0; i < n; i++) assert.ok(posteriors[t * n + path[t]!]! >= posteriors[t * n + i]!);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test("posterior decoding of an impossible sequence is an error, not NaN", () => {
  const hmm = {
    numStates: 1,
    numSymbols: 2,
    initial: Float64Array.of(1),
    transition: Float64Array.of(1),
    emission: Float64Array.of(1, 0),
  };
  assert.throws(() => posteriorDecode(hmm, [0, 1], "scaled"), /probability zero/);
  assert.throws(() => posteriorDecode(hmm, [0, 1], "log"), /probability zero/);
});
