import { type Hmm, validateHmm } from "./model.js";
import type { Random } from "./random.js";

export interface HmmSample {
  readonly states: Int32Array;
  readonly observations: Int32Array;
}

/** Runs the generative story: draw a state path from π and A, and a symbol from B at each step. */
export function sampleHmm(hmm: Hmm, length: number, random: Random): HmmSample {
  validateHmm(hmm);
  if (!Number.isInteger(length) || length < 1) {
    throw new Error(`sampleHmm length must be a positive integer, got ${length}`);
  }
  const { numStates: n, numSymbols: m } = hmm;
  const states = new Int32Array(length);
  const observations = new Int32Array(length);
  let state = drawIndex(hmm.initial, 0, n, random);
  for (let t = 0; t < length; t++) {
    if (t > 0) state = drawIndex(hmm.transition, state * n, n, random);
    states[t] = state;
    observations[t] = drawIndex(hmm.emission, state * m, m, random);
  }
  return { states, observations };
}

function drawIndex(probabilities: Float64Array, start: number, length: number, random: Random): number {
  let remaining = random.next();
  for (let k = 0; k < length; k++) {
    remaining -= probabilities[start + k]!;
    if (remaining < 0) return k;
  }
  // Rounding can leave a sliver above the last cumulative sum; take the last possible entry.
  for (let k = length - 1; k > 0; k--) if (probabilities[start + k]! > 0) return k;
  return 0;
}
