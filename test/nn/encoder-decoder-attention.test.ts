import assert from "node:assert/strict";
import { test } from "node:test";
import { randn, tensor } from "../../src/index.js";
import { AdditiveAttention } from "../../src/nn/additive-attention.js";
import { AttentionCache } from "../../src/nn/attention-cache.js";
import { CrossAttention } from "../../src/nn/cross-attention.js";
import { MultiHeadAttention } from "../../src/nn/multi-head-attention.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) =>
  assert.ok(
    a.length === b.length &&
      Array.from(b).every((v, i) => Math.abs(a[i]! - v) <= tol * Math.max(1, Math.abs(v))),
    `${Array.from(a)} vs ${Array.from(b)}`,
  );

test("bidirectional self-attention lets the first position see the last; a key bias hides padding", () => {
  const rng = new SeededRng(1);
  const attn = new MultiHeadAttention(8, 2, { causal: false, rng });
  const x = randn([1, 3, 8], { seed: 2 });
  const changedLast = x.add(tensor([0, 0, 1], [1, 3, 1]));
  // Changing position 2 changes position 0's output: it is not causal.
  const first = (out: ReturnType<typeof attn.forward>) => out.slice([0, 0, 0], [1, 1, 8]).dataSync();
  assert.ok(Math.abs(first(attn.forward(x))[0]! - first(attn.forward(changedLast))[0]!) > 1e-6);
  // With position 2 masked out, changing it changes nothing at positions 0 and 1.
  const bias = tensor([0, 0, -1e9], [1, 1, 1, 3]);
  const firstTwo = (input: typeof x) =>
    attn.forward(input, undefined, bias).slice([0, 0, 0], [1, 2, 8]).dataSync();
  close(firstTwo(x), firstTwo(changedLast));
});

test("cross-attention: weights over the source sum to one and give padding nothing", () => {
  const cross = new CrossAttention(8, 2, { rng: new SeededRng(3) });
  const memory = randn([2, 4, 8], { seed: 4 });
  const x = randn([2, 3, 8], { seed: 5 });
  const bias = tensor([0, 0, 0, 0, 0, 0, -1e9, -1e9], [2, 1, 1, 4]);
  const { output, weights } = cross.forward(x, cross.memoryProjections(memory), bias);
  assert.deepEqual(output.shape, [2, 3, 8]);
  assert.deepEqual(weights.shape, [2, 2, 3, 4]);
  const w = weights.dataSync();
  for (let row = 0; row < 12; row++) {
    const cells = Array.from(w.subarray(row * 4, row * 4 + 4));
    close([cells.reduce((a, b) => a + b, 0)], [1]);
    if (row >= 6) close(cells.slice(2), [0, 0]);
  }
});

test("an attention cache keeps the rows beam search selects, in the order given", () => {
  const cache = new AttentionCache(2);
  cache.append(tensor([1, 2, 3], [3, 1, 1]));
  cache.selectRows(tensor([2, 2, 0], [3], { dtype: "int32" }));
  assert.deepEqual(Array.from(cache.projections!.dataSync()), [3, 0, 3, 0, 1, 0]);
});

test("additive attention: a context of the values, weighted by a softmax that ignores padding", () => {
  const attention = new AdditiveAttention(4, 3, 5, { rng: new SeededRng(6) });
  const values = randn([2, 3, 3], { seed: 7 });
  const { context, weights } = attention.forward(
    randn([2, 4], { seed: 8 }),
    attention.projectKeys(values),
    values,
    tensor([0, 0, 0, 0, -1e9, -1e9], [2, 3]),
  );
  assert.deepEqual(context.shape, [2, 3]);
  const w = weights.dataSync();
  close([w[0]! + w[1]! + w[2]!, w[3]!], [1, 1]);
  // Row 1 attends only to its first value.
  close(context.slice([1, 0], [2, 3]).dataSync(), values.slice([1, 0, 0], [2, 1, 3]).dataSync(), 1e-4);
});
