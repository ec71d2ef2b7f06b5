/**
 * A discrete hidden Markov model: N hidden states, M observable symbols.
 *
 * Matrices are stored flat and row-major in Float64Array so the algorithms can walk
 * them without allocating; row i of A starts at i * N, row i of B at i * M.
 */
export interface Hmm {
  readonly numStates: number;
  readonly numSymbols: number;
  /** π: initial[i] = P(first state = i). Length N. */
  readonly initial: Float64Array;
  /** A, N×N: transition[i * N + j] = P(next state = j | current state = i). */
  readonly transition: Float64Array;
  /** B, N×M: emission[i * M + k] = P(symbol k | state i). */
  readonly emission: Float64Array;
}

/** Parameters written as nested rows, the way they appear in papers and tests. */
export interface HmmSpec {
  initial: ArrayLike<number>;
  transition: ArrayLike<ArrayLike<number>>;
  emission: ArrayLike<ArrayLike<number>>;
}

/** How far a row's sum may drift from 1 before it is rejected as not stochastic. */
export const STOCHASTIC_TOLERANCE = 1e-6;

/** Builds a validated model from nested rows; the input arrays are copied. */
export function createHmm(spec: HmmSpec, tolerance = STOCHASTIC_TOLERANCE): Hmm {
  const numStates = spec.initial.length;
  if (numStates < 1) throw new Error("HMM needs at least one state, but the initial distribution is empty");
  if (spec.transition.length !== numStates || spec.emission.length !== numStates) {
    throw new Error(
      `HMM state counts disagree: initial distribution has ${numStates} entries, ` +
        `transition matrix has ${spec.transition.length} rows, emission matrix has ${spec.emission.length} rows`,
    );
  }
  const numSymbols = spec.emission[0]!.length;
  if (numSymbols < 1) throw new Error("HMM needs at least one symbol, but emission row 0 is empty");
  const transition = new Float64Array(numStates * numStates);
  const emission = new Float64Array(numStates * numSymbols);
  for (let i = 0; i < numStates; i++) {
    const transitionRow = spec.transition[i]!;
    if (transitionRow.length !== numStates) {
      throw new Error(`HMM transition row ${i} has ${transitionRow.length} entries, expected ${numStates}`);
    }
    const emissionRow = spec.emission[i]!;
    if (emissionRow.length !== numSymbols) {
      throw new Error(
        `HMM emission row ${i} has ${emissionRow.length} entries, expected ${numSymbols} (as row 0)`,
      );
    }
    for (let j = 0; j < numStates; j++) transition[i * numStates + j] = transitionRow[j]!;
    for (let k = 0; k < numSymbols; k++) emission[i * numSymbols + k] = emissionRow[k]!;
  }
  const hmm: Hmm = { numStates, numSymbols, initial: Float64Array.from(spec.initial), transition, emission };
  validateHmm(hmm, tolerance);
  return hmm;
}

/**
 * Checks sizes, that every entry is a probability and that every row sums to 1.
 * Run by every public algorithm, because an `Hmm` may be an object literal that
 * never went through `createHmm`.
 */
export function validateHmm(hmm: Hmm, tolerance = STOCHASTIC_TOLERANCE): void {
  const { numStates, numSymbols } = hmm;
  if (!Number.isInteger(numStates) || numStates < 1) {
    throw new Error(`HMM needs at least one state, got numStates = ${numStates}`);
  }
  if (!Number.isInteger(numSymbols) || numSymbols < 1) {
    throw new Error(`HMM needs at least one symbol, got numSymbols = ${numSymbols}`);
  }
  checkLength("initial distribution", hmm.initial, numStates, `${numStates} states`);
  checkLength("transition matrix", hmm.transition, numStates * numStates, `${numStates}×${numStates}`);
  checkLength("emission matrix", hmm.emission, numStates * numSymbols, `${numStates}×${numSymbols}`);
  checkStochasticRow("initial distribution", hmm.initial, 0, numStates, tolerance);
  for (let i = 0; i < numStates; i++) {
    checkStochasticRow(`transition row ${i}`, hmm.transition, i * numStates, numStates, tolerance);
    checkStochasticRow(`emission row ${i}`, hmm.emission, i * numSymbols, numSymbols, tolerance);
  }
}

function checkLength(what: string, values: Float64Array, expected: number, shape: string): void {
  if (values.length !== expected) {
    throw new Error(`HMM ${what} has ${values.length} entries, expected ${expected} (${shape})`);
  }
}

function checkStochasticRow(
  what: string,
  values: Float64Array,
  start: number,
  length: number,
  tolerance: number,
): void {
  let sum = 0;
  for (let k = 0; k < length; k++) {
    const p = values[start + k]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`HMM ${what} entry ${k} is ${p}, not a probability in [0, 1]`);
    sum += p;
  }
  if (Math.abs(sum - 1) > tolerance) {
    throw new Error(`HMM ${what} sums to ${sum}, but must sum to 1 (within ${tolerance})`);
  }
}
