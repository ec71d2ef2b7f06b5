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
