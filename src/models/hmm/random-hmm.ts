import type { Hmm } from "./model.js";
import type { Random } from "./random.js";

/**
 * A model whose π and every row of A and B are drawn uniformly from the probability
 * simplex (Dirichlet(1, …, 1)). All entries are positive, so Baum-Welch can move
 * every parameter, and no two states start out identical, which would be a fixed
 * point EM never leaves.
 */
export function randomHmm(numStates: number, numSymbols: number, random: Random): Hmm {
  if (!Number.isInteger(numStates) || numStates < 1) {
    throw new Error(`HMM needs at least one state, got numStates = ${numStates}`);
  }
  if (!Number.isInteger(numSymbols) || numSymbols < 1) {
    throw new Error(`HMM needs at least one symbol, got numSymbols = ${numSymbols}`);
  }
  const initial = new Float64Array(numStates);
  const transition = new Float64Array(numStates * numStates);
  const emission = new Float64Array(numStates * numSymbols);
  fillSimplexRow(initial, 0, numStates, random);
  for (let i = 0; i < numStates; i++) {
    fillSimplexRow(transition, i * numStates, numStates, random);
    fillSimplexRow(emission, i * numSymbols, numSymbols, random);
  }
  return { numStates, numSymbols, initial, transition, emission };
}

// Normalised standard exponentials are uniform on the simplex.
function fillSimplexRow(values: Float64Array, start: number, length: number, random: Random): void {
  let sum = 0;
  for (let k = 0; k < length; k++) {
    const draw = -Math.log(1 - random.next()); // 1 - u lies in (0, 1], so the log is finite
    values[start + k] = draw;
    sum += draw;
  }
  // All draws can be 0 only when every u was exactly 0; fall back to uniform then.
  for (let k = 0; k < length; k++) values[start + k] = sum > 0 ? values[start + k]! / sum : 1 / length;
}
