// What every text classifier offers the run, the evaluation and the ensembles: class
// probabilities for texts, and a way to be saved in a classifier checkpoint.

export interface TextClassifier {
  /** "nb", "logreg", "cnn", "transformer", "gpt-finetune" or an ensemble's name. */
  readonly kind: string;
  readonly classes: readonly string[];
  /** Probabilities [texts][classes], each row summing to 1. */
  predictProba(texts: readonly string[]): number[][];
  /** Writes the model's files into a checkpoint directory; returns its JSON config. */
  save(dir: string): Record<string, unknown>;
}

/** The class with the highest probability of each row (the first on a tie). */
export function argmaxRows(probabilities: readonly (readonly number[])[]): number[] {
  return probabilities.map((row) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
    return best;
  });
}
