/** Labels are class indices 0…K−1; a metric's inputs are any array-like of them. */
export type Labels = ArrayLike<number>;

/** Checks that two label (or score) arrays pair up, naming the metric in the error. */
export function checkSameLength(metric: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new Error(`${metric}: ${a.length} true labels but ${b.length} predictions`);
  }
  if (a.length === 0) throw new Error(`${metric}: no examples`);
}

/** The number of classes the labels imply: one more than the largest, at least `atLeast`. */
export function classCount(atLeast: number, ...labelSets: Labels[]): number {
  let k = atLeast;
  for (const labels of labelSets) {
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i]!;
      if (!Number.isInteger(label) || label < 0) {
        throw new Error(`labels must be class indices (integers ≥ 0), got ${label} at position ${i}`);
      }
      if (label + 1 > k) k = label + 1;
    }
  }
  return k;
}
