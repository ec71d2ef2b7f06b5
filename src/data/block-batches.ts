// Batches for next-token prediction: each row is a random contiguous block of the token
// stream, and the targets are the same block shifted one token ahead.
import type { SeededRng } from "../random/seeded-rng.js";

export interface BlockBatch {
  /** Inputs, row-major [batchSize, blockSize]. */
  x: Int32Array;
  /** Targets: y[b, t] is the token after x[b, t]. Same shape as x. */
  y: Int32Array;
  shape: [number, number];
}

export interface BlockBatchOptions {
  batchSize: number;
  blockSize: number;
}

/** Draws one batch; the RNG's state decides which blocks, so a restored RNG redraws them. */
export function sampleBlockBatch(tokens: Int32Array, options: BlockBatchOptions, rng: SeededRng): BlockBatch {
  const { batchSize, blockSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`sampleBlockBatch: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  if (!Number.isInteger(blockSize) || blockSize < 1) {
    throw new Error(`sampleBlockBatch: blockSize must be an integer >= 1, got ${blockSize}`);
  }
  // A block needs blockSize inputs plus one more token for its last target.
  if (tokens.length < blockSize + 1) {
    throw new Error(
      `sampleBlockBatch: blockSize ${blockSize} needs at least ${blockSize + 1} tokens, but the data has ${tokens.length}`,
    );
  }
  const x = new Int32Array(batchSize * blockSize);
  const y = new Int32Array(batchSize * blockSize);
  const startCount = tokens.length - blockSize;
  for (let row = 0; row < batchSize; row++) {
    const start = rng.nextInt(startCount);
    x.set(tokens.subarray(start, start + blockSize), row * blockSize);
    y.set(tokens.subarray(start + 1, start + blockSize + 1), row * blockSize);
  }
  return { x, y, shape: [batchSize, blockSize] };
}
