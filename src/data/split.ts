// Splitting a token stream into a training part and a validation part. The split is by
// position, not random, so validation text is text the model has never seen a piece of.

export interface TrainValidationSplit {
  train: Int32Array;
  validation: Int32Array;
}

/** The first `trainFraction` of the tokens for training, the rest for validation (views, no copy). */
export function splitTrainValidation(tokens: Int32Array, trainFraction = 0.9): TrainValidationSplit {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new Error(`splitTrainValidation: trainFraction must be in (0, 1), got ${trainFraction}`);
  }
  const trainLength = Math.round(tokens.length * trainFraction);
  if (trainLength === 0 || trainLength === tokens.length) {
    throw new Error(
      `splitTrainValidation: ${tokens.length} tokens are too few to split with trainFraction ${trainFraction}`,
    );
  }
  return { train: tokens.subarray(0, trainLength), validation: tokens.subarray(trainLength) };
}

/**
 * Fold `index` of `count` for cross-validation: the tokens cut by position into `count`
 * contiguous parts of (nearly) equal length; part `index` validates, the others, joined in
 * order, train. Position, not shuffling, for the same reason as above.
 */
export function splitFold(tokens: Int32Array, index: number, count: number): TrainValidationSplit {
  if (!(Number.isInteger(count) && count >= 2 && Number.isInteger(index) && index >= 0 && index < count)) {
    throw new Error(`splitFold: fold ${index} of ${count} is not a fold (0 <= index < count, count >= 2)`);
  }
  const start = Math.round((tokens.length * index) / count);
  const end = Math.round((tokens.length * (index + 1)) / count);
  const train = new Int32Array(tokens.length - (end - start));
  train.set(tokens.subarray(0, start));
  train.set(tokens.subarray(end), start);
  return { train, validation: tokens.subarray(start, end) };
}
