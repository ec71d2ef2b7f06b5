import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createHmm,
  forwardLog,
  forwardScaled,
  type HmmSpec,
  posteriorDecode,
  viterbi,
} from "../../../src/models/hmm/index.js";

const valid: HmmSpec = {
  initial: [0.25, 0.75],
  transition: [
    [0.9, 0.1],
    [0.3, 0.7],
  ],
  emission: [
    [0.5, 0.25, 0.25],
    [0.1, 0.1, 0.8],
  ],
};

test("createHmm stores the parameters flat, row-major, as copies", () => {
  const initial = [0.25, 0.75];
  const hmm = createHmm({ ...valid, initial });
  initial[0] = 99;
  assert.equal(hmm.numStates, 2);
  assert.equal(hmm.numSymbols, 3);
  assert.ok(hmm.transition instanceof Float64Array);
  assert.deepEqual([...hmm.initial], [0.25, 0.75]);
  assert.deepEqual([...hmm.transition], [0.9, 0.1, 0.3, 0.7]);
  assert.deepEqual([...hmm.emission], [0.5, 0.25, 0.25, 0.1, 0.1, 0.8]);
});

test("rows that are not stochastic beyond the tolerance are rejected, naming the row", () => {
  const offBy = (delta: number): HmmSpec => ({
    ...valid,
    transition: [
      [0.9, 0.1],
      [0.3, 0.7 + delta],
    ],
  });
  assert.doesNotThrow(() => createHmm(offBy(1e-9)));
  assert.throws(() => createHmm(offBy(0.01)), /transition row 1 sums to 1\.01/);
  assert.doesNotThrow(() => createHmm(offBy(0.01), 0.05));
  assert.throws(() => createHmm({ ...valid, initial: [0.5, 0.6] }), /initial distribution sums to 1\.1/);
  assert.throws(
    () =>
      createHmm({
        ...valid,
        emission: [
          [0.5, 0.25, 0.25],
          [0.1, 0.1, 0.1],
        ],
      }),
    /emission row 1 sums to 0\.3/,
  );
  assert.throws(
    () =>
      createHmm({
        ...valid,
        emission: [
          [1.5, -0.25, -0.25],
          [0.1, 0.1, 0.8],
        ],
      }),
    /emission row 0 entry 0 is 1\.5, not a probability/,
  );
  assert.throws(
    () =>
      createHmm({
        ...valid,
        emission: [
          [Number.NaN, 0.5, 0.5],
          [0.1, 0.1, 0.8],
        ],
      }),
    /entry 0 is NaN/,
  );
});

test("state and symbol counts must agree", () => {
  assert.throws(
    () => createHmm({ ...valid, initial: [0.2, 0.3, 0.5] }),
    /initial distribution has 3 entries, transition matrix has 2 rows, emission matrix has 2 rows/,
  );
  assert.throws(
    () => createHmm({ ...valid, emission: [[0.5, 0.25, 0.25]] }),
    /transition matrix has 2 rows, emission matrix has 1 rows/,
  );
  assert.throws(
    () => createHmm({ ...valid, transition: [[1], [1]] }),
    /transition row 0 has 1 entries, expected 2/,
  );
  assert.throws(
    () =>
      createHmm({
        ...valid,
        emission: [
          [0.5, 0.5, 0],
          [0.5, 0.5],
        ],
      }),
    /emission row 1 has 2 entries, expected 3/,
  );
});

test("N or M below 1 is an error", () => {
  assert.throws(() => createHmm({ initial: [], transition: [], emission: [] }), /at least one state/);
  assert.throws(() => createHmm({ initial: [1], transition: [[1]], emission: [[]] }), /at least one symbol/);
  const literal = {
    numStates: 0,
    numSymbols: 1,
    initial: new Float64Array(),
    transition: new Float64Array(),
    emission: new Float64Array(),
  };
  assert.throws(() => forwardScaled(literal, [0]), /at least one state, got numStates = 0/);
  const noSymbols = { ...createHmm(valid), numSymbols: 0 };
  assert.throws(() => viterbi(noSymbols, [0]), /at least one symbol, got numSymbols = 0/);
});

test("a hand-built model with wrongly sized arrays is rejected by every algorithm", () => {
  const hmm = { ...createHmm(valid), transition: Float64Array.of(1, 0, 0) };
  for (const run of [forwardScaled, forwardLog, viterbi, posteriorDecode]) {
    assert.throws(() => run(hmm, [0]), /transition matrix has 3 entries, expected 4 \(2×2\)/);
  }
});

test("observation errors name the position and the valid range", () => {
  const hmm = createHmm(valid);
  for (const run of [forwardScaled, forwardLog, viterbi, posteriorDecode]) {
    assert.throws(
      () => run(hmm, [0, 1, 2, 3, 0]),
      /observation at position 3 is 3, outside the symbol range 0\.\.2/,
    );
    assert.throws(() => run(hmm, [0, -1]), /position 1 is -1/);
    assert.throws(() => run(hmm, [0.5]), /position 0 is 0\.5/);
    assert.throws(() => run(hmm, []), /observation sequence is empty/);
  }
});
