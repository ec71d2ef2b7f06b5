import fc from "fast-check";
import { createHmm, type Hmm } from "../../../src/models/hmm/index.js";

/** Everything the HMM algorithms compute, by summing over all N^T state paths. */
export interface Enumeration {
  /** P(observations), summed over every path. */
  likelihood: number;
  /** The largest single-path joint probability, and the first path reaching it. */
  bestProbability: number;
  bestPath: number[];
  /** The second largest path probability, to tell a unique best path from a tie. */
  runnerUpProbability: number;
  /** T×N: P(state_t = i, observations) summed over paths (not yet divided by the likelihood). */
  jointMarginals: Float64Array;
}

export function pathProbability(hmm: Hmm, path: ArrayLike<number>, observations: ArrayLike<number>): number {
  const { numStates: n, numSymbols: m } = hmm;
  let probability = hmm.initial[path[0]!]! * hmm.emission[path[0]! * m + observations[0]!]!;
  for (let t = 1; t < observations.length; t++) {
    probability *=
      hmm.transition[path[t - 1]! * n + path[t]!]! * hmm.emission[path[t]! * m + observations[t]!]!;
  }
  return probability;
}

export function enumeratePaths(hmm: Hmm, observations: ArrayLike<number>): Enumeration {
  const n = hmm.numStates;
  const length = observations.length;
  const path = new Array<number>(length).fill(0);
  const result: Enumeration = {
    likelihood: 0,
    bestProbability: -1,
    bestPath: [],
    runnerUpProbability: -1,
    jointMarginals: new Float64Array(length * n),
  };
  for (let code = 0; code < n ** length; code++) {
    for (let t = 0, rest = code; t < length; t++, rest = Math.floor(rest / n)) path[t] = rest % n;
    const probability = pathProbability(hmm, path, observations);
    result.likelihood += probability;
    for (let t = 0; t < length; t++) result.jointMarginals[t * n + path[t]!]! += probability;
    if (probability > result.bestProbability) {
      result.runnerUpProbability = result.bestProbability;
      result.bestProbability = probability;
      result.bestPath = [...path];
    } else if (probability > result.runnerUpProbability) {
      result.runnerUpProbability = probability;
    }
  }
  return result;
}

/** Relative closeness for log values, which can be large; equal infinities count as close. */
export function assertCloseLog(actual: number, expected: number, tolerance = 1e-9): void {
  if (actual === expected) return;
  const scale = Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance * scale)) {
    throw new Error(`expected ${actual} to be within ${tolerance} (relative) of ${expected}`);
  }
}

// A probability row with some exact zeros, so impossible paths and sequences get tested too.
function stochasticRow(length: number, allowZeros: boolean) {
  const entry = allowZeros
    ? fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.double({ min: 0.01, max: 1, noNaN: true }), weight: 4 },
      )
    : fc.double({ min: 0.01, max: 1, noNaN: true });
  return fc.array(entry, { minLength: length, maxLength: length }).map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return sum > 0 ? row.map((value) => value / sum) : row.map(() => 1 / length);
  });
}

/** A small model (1-3 states, 1-3 symbols) and a sequence of 1-6 symbols it may or may not emit. */
export function smallModelAndSequence(options: { allowZeros: boolean; maxLength?: number }) {
  const { allowZeros, maxLength = 6 } = options;
  return fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
    .chain(([n, m]) =>
      fc.record({
        initial: stochasticRow(n, allowZeros),
        transition: fc.array(stochasticRow(n, allowZeros), { minLength: n, maxLength: n }),
        emission: fc.array(stochasticRow(m, allowZeros), { minLength: n, maxLength: n }),
        observations: fc.array(fc.nat({ max: m - 1 }), { minLength: 1, maxLength }),
      }),
    )
    .map(({ observations, ...spec }) => ({ hmm: createHmm(spec), observations }));
}
