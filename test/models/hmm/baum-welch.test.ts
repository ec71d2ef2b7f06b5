import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  baumWelch,
  createHmm,
  createRandom,
  fitHmm,
  forwardScaled,
  randomHmm,
  reestimate,
  sampleHmm,
  validateHmm,
} from "../../../src/models/hmm/index.js";

function assertNonDecreasing(history: readonly number[]): void {
  for (let k = 1; k < history.length; k++) {
    assert.ok(
      history[k]! >= history[k - 1]! - 1e-9,
      `log-likelihood fell at iteration ${k}: ${history[k - 1]} → ${history[k]}`,
    );
  }
}

test("Baum-Welch never lowers the log-likelihood, over one or many sequences", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      fc.nat(),
      (numStates, numSymbols, sequenceCount, seed) => {
        const random = createRandom(seed);
        const truth = randomHmm(numStates, numSymbols, random);
        const sequences = Array.from(
          { length: sequenceCount },
          (_, index) => sampleHmm(truth, 5 + 20 * index, random).observations,
        );
        const start = randomHmm(numStates, numSymbols, random);
        const result = baumWelch(start, sequences, { tolerance: 0, maxIterations: 30 });
        // tolerance 0 still stops early when rounding makes an update look like a loss.
        assert.ok(result.history.length >= 2 && result.history.length <= 31);
        assertNonDecreasing(result.history);
        validateHmm(result.model, 1e-9);
      },
    ),
    { numRuns: 60 },
  );
});

test("the reported log-likelihood is that of the returned model, and progress is reported per iteration", () => {
  const random = createRandom(3);
  const truth = randomHmm(3, 4, random);
  const sequences = [sampleHmm(truth, 200, random).observations, sampleHmm(truth, 50, random).observations];
  const seen: number[] = [];
  const result = baumWelch(randomHmm(3, 4, random), sequences, {
    onIteration: ({ iteration, logLikelihood }) => {
      assert.equal(iteration, seen.length);
      seen.push(logLikelihood);
    },
  });
  assert.deepEqual(seen, result.history);
  assert.equal(result.iterations, result.history.length - 1);
  const recomputed = sequences.reduce((sum, s) => sum + forwardScaled(result.model, s).logLikelihood, 0);
  assert.ok(Math.abs(recomputed - result.logLikelihood) < 1e-8);
  assert.ok(result.converged);
});

test("Baum-Welch stops at the tolerance or at maxIterations", () => {
  const random = createRandom(11);
  const truth = randomHmm(2, 3, random);
  const sequences = [sampleHmm(truth, 300, random).observations];
  const start = randomHmm(2, 3, random);
  const none = baumWelch(start, sequences, { maxIterations: 0 });
  assert.equal(none.model, start);
  assert.deepEqual(none, { ...none, iterations: 0, converged: false });
  const capped = baumWelch(start, sequences, { tolerance: 0, maxIterations: 7 });
  assert.equal(capped.iterations, 7);
  assert.equal(capped.converged, false);
  const loose = baumWelch(start, sequences, { tolerance: 1e-2 });
  const tight = baumWelch(start, sequences, { tolerance: 1e-5 });
  assert.ok(loose.converged && tight.converged);
  assert.ok(loose.iterations < tight.iterations);
  assert.ok(tight.logLikelihood >= loose.logLikelihood - 1e-9);
});

test("a state that is never visited keeps its rows instead of becoming NaN", () => {
  const hmm = createHmm({
    initial: [1, 0],
    transition: [
      [1, 0],
      [0.5, 0.5],
    ],
    emission: [
      [0.5, 0.5],
      [0.9, 0.1],
    ],
  });
  const { model } = reestimate(hmm, [[0, 0, 1, 0]]);
  assert.deepEqual([...model.emission], [0.75, 0.25, 0.9, 0.1]);
  assert.deepEqual([...model.transition.slice(2)], [0.5, 0.5]);
});

test("fitHmm is reproducible for a seed, keeps the best restart and beats the generating model's fit", () => {
  const truth = createHmm({
    initial: [0.5, 0.5],
    transition: [
      [0.9, 0.1],
      [0.2, 0.8],
    ],
    emission: [
      [0.7, 0.2, 0.1, 0],
      [0, 0.1, 0.3, 0.6],
    ],
  });
  const random = createRandom(5);
  const sequences = [1, 2, 3].map(() => sampleHmm(truth, 400, random).observations);
  const progress: number[] = [];
  const options = { numStates: 2, numSymbols: 4, restarts: 4, seed: 42 };
  const first = fitHmm(sequences, { ...options, onIteration: ({ restart }) => progress.push(restart) });
  const second = fitHmm(sequences, options);
  assert.deepEqual(first.model, second.model);
  assert.deepEqual(first.restarts, second.restarts);
  assert.deepEqual([...new Set(progress)], [0, 1, 2, 3]);
  assert.equal(first.restarts.length, 4);
  const bestOfRestarts = Math.max(...first.restarts.map((r) => r.logLikelihood));
  assert.equal(first.logLikelihood, bestOfRestarts);
  assert.equal(first.restarts[first.bestRestart]!.logLikelihood, bestOfRestarts);
  const truthLogLikelihood = sequences.reduce((sum, s) => sum + forwardScaled(truth, s).logLikelihood, 0);
  assert.ok(first.logLikelihood >= truthLogLikelihood, `${first.logLikelihood} < ${truthLogLikelihood}`);
  const other = fitHmm(sequences, { ...options, seed: 43 });
  assert.notDeepEqual(other.restarts, first.restarts);
});

test("training options and inputs are checked", () => {
  assert.throws(() => fitHmm([[0, 1]], { numStates: 2, numSymbols: 2, restarts: 0 }), /at least one restart/);
  assert.throws(() => fitHmm([], { numStates: 2, numSymbols: 2 }), /at least one observation sequence/);
  assert.throws(() => fitHmm([[0, 1]], { numStates: 0, numSymbols: 2 }), /at least one state/);
  assert.throws(() => fitHmm([[0, 1]], { numStates: 2, numSymbols: 0 }), /at least one symbol/);
  assert.throws(
    () =>
      fitHmm(
        [
          [0, 1],
          [1, 2, 0],
        ],
        { numStates: 2, numSymbols: 2 },
      ),
    /sequence 1: observation at position 1 is 2, outside the symbol range 0\.\.1/,
  );
  assert.throws(
    () => fitHmm([[0], []], { numStates: 2, numSymbols: 2 }),
    /sequence 1: observation sequence is empty/,
  );
  const start = randomHmm(2, 2, createRandom(1));
  assert.throws(() => baumWelch(start, [[0]], { maxIterations: -1 }), /maxIterations/);
  assert.throws(() => baumWelch(start, [[0]], { tolerance: Number.NaN }), /tolerance/);
});
