import assert from "node:assert/strict";
import { test } from "node:test";
import { sampleBlockBatch } from "../../src/data/block-batches.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

// Token i has value i, so every row must be a run of consecutive integers.
const tokens = Int32Array.from({ length: 50 }, (_, i) => i);

test("rows are contiguous blocks and targets are the inputs shifted by one", () => {
  const batch = sampleBlockBatch(tokens, { batchSize: 4, blockSize: 8 }, new SeededRng(1));
  assert.deepEqual(batch.shape, [4, 8]);
  assert.equal(batch.x.length, 32);
  for (let row = 0; row < 4; row++) {
    const start = batch.x[row * 8]!;
    for (let t = 0; t < 8; t++) {
      assert.equal(batch.x[row * 8 + t], start + t);
      assert.equal(batch.y[row * 8 + t], start + t + 1);
    }
  }
});

test("every start position, including the last, can be drawn", () => {
  const rng = new SeededRng(2);
  const starts = new Set<number>();
  for (let i = 0; i < 400; i++)
    starts.add(sampleBlockBatch(tokens, { batchSize: 1, blockSize: 45 }, rng).x[0]!);
  assert.deepEqual(
    [...starts].sort((a, b) => a - b),
    [0, 1, 2, 3, 4],
  );
});

test("a restored RNG redraws the same batches", () => {
  const rng = new SeededRng(3);
  sampleBlockBatch(tokens, { batchSize: 2, blockSize: 4 }, rng);
  const saved = rng.state();
  const next = sampleBlockBatch(tokens, { batchSize: 2, blockSize: 4 }, rng);
  const again = sampleBlockBatch(tokens, { batchSize: 2, blockSize: 4 }, SeededRng.fromState(saved));
  assert.deepEqual(again, next);
});

test("a block larger than the data allows gives a clear error", () => {
  const rng = new SeededRng(0);
  assert.throws(
    () => sampleBlockBatch(tokens, { batchSize: 1, blockSize: 50 }, rng),
    /blockSize 50 needs at least 51 tokens, but the data has 50/,
  );
  assert.equal(sampleBlockBatch(tokens, { batchSize: 1, blockSize: 49 }, rng).y[48], 49);
  assert.throws(() => sampleBlockBatch(tokens, { batchSize: 0, blockSize: 4 }, rng), /batchSize/);
  assert.throws(() => sampleBlockBatch(tokens, { batchSize: 1, blockSize: 2.5 }, rng), /blockSize/);
});
