/** A sequence of symbol indices in 0..M-1 (number[], Int32Array, Uint8Array, ...). */
export type Observations = ArrayLike<number>;

/**
 * Rejects an empty sequence or a symbol the model cannot emit, naming the position,
 * so a bad character in a corpus is found without a debugger.
 */
export function checkObservations(observations: Observations, numSymbols: number, label = ""): void {
  const where = label === "" ? "" : `${label}: `;
  if (observations.length === 0) throw new Error(`${where}observation sequence is empty`);
  for (let t = 0; t < observations.length; t++) {
    const symbol = observations[t]!;
    if (!Number.isInteger(symbol) || symbol < 0 || symbol >= numSymbols) {
      throw new Error(
        `${where}observation at position ${t} is ${symbol}, outside the symbol range 0..${numSymbols - 1}`,
      );
    }
  }
}

/** The same check over a training set; positions are reported with their sequence. */
export function checkObservationSet(sequences: readonly Observations[], numSymbols: number): void {
  if (sequences.length === 0) throw new Error("need at least one observation sequence");
  sequences.forEach((sequence, index) => {
    checkObservations(sequence, numSymbols, `sequence ${index}`);
  });
}
