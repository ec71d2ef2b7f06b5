import assert from "node:assert/strict";
import { test } from "node:test";
import { arange, concat, eye, gradients, randn, type Tensor, tensor, zeros } from "../../src/index.js";
import { AttentionCache } from "../../src/nn/attention-cache.js";
import { causalMask } from "../../src/nn/causal-mask.js";
import { MultiHeadAttention } from "../../src/nn/multi-head-attention.js";
import { positionIds } from "../../src/nn/position-ids.js";
import { TransformerBlock } from "../../src/nn/transformer-block.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { assertClose as close } from "../helpers/assert-close.js";

/** Attention whose q, k, v and output projections are all the identity. */
function identityAttention(embd: number, nHead: number): MultiHeadAttention {
  const attn = new MultiHeadAttention(embd, nHead);
  attn.qkv.weight.assign(concat([eye(embd), eye(embd), eye(embd)], 0));
  attn.qkv.bias!.assign(zeros([3 * embd]));
  attn.proj.weight.assign(eye(embd));
  attn.proj.bias!.assign(zeros([embd]));
  return attn;
}

test("the causal mask lets the query at position p see keys 0…p", () => {
  const mask = causalMask(arange(3), 3);
  assert.equal(mask.dtype, "bool");
  assert.deepEqual(mask.toArray(), [
    [1, 0, 0],
    [1, 1, 0],
    [1, 1, 1],
  ]);
  // Queries at positions 2 and 3 of a cache holding 5.
  assert.deepEqual(causalMask(positionIds(2, 2), 5).toArray(), [
    [1, 1, 1, 0, 0],
    [1, 1, 1, 1, 0],
  ]);
});

test("one head, identity projections, T = 2: softmax(q·kᵀ/√2) by hand", () => {
  const attn = identityAttention(2, 1);
  const y = attn
    .forward(
      tensor([
        [
          [1, 0],
          [0, 1],
        ],
      ]),
    )
    .dataSync();
  // Position 0 sees only itself. Position 1 scores [0, 1]/√2 against keys [1,0] and [0,1].
  const e = Math.exp(1 / Math.sqrt(2));
  close(y, [1, 0, 1 / (1 + e), e / (1 + e)]);
});

test("two heads each attend over their own slice of the embedding", () => {
  const attn = identityAttention(2, 2);
  const y = attn
    .forward(
      tensor([
        [
          [1, 2],
          [3, 4],
        ],
      ]),
    )
    .dataSync();
  // headDim 1, so scores are plain products: head 0 sees values 1, 3; head 1 sees 2, 4.
  const mix = (a: number, b: number, q: number) =>
    (a * Math.exp(q * a) + b * Math.exp(q * b)) / (Math.exp(q * a) + Math.exp(q * b));
  close(y, [1, 2, mix(1, 3, 3), mix(2, 4, 4)]);
});

test("changing a later token leaves earlier outputs unchanged", () => {
  const block = new TransformerBlock(8, 2, { rng: new SeededRng(5) });
  const x = randn([2, 4, 8], { seed: 1 });
  const changed = concat([x.slice([0, 0, 0], [2, 3, 8]), randn([2, 1, 8], { seed: 2 })], 1);
  const a = block.forward(x).dataSync();
  const b = block.forward(changed).dataSync();
  const perStep = 8;
  for (let i = 0; i < a.length; i++) {
    const t = Math.floor(i / perStep) % 4;
    if (t < 3) assert.equal(b[i], a[i], `element ${i} at time ${t} changed`);
  }
  assert.ok(a.some((v, i) => Math.floor(i / perStep) % 4 === 3 && v !== b[i]));
});

test("attention with a cache, fed in pieces, matches one pass over the whole sequence", () => {
  const attn = new MultiHeadAttention(8, 2, { rng: new SeededRng(6) });
  const x = randn([2, 5, 8], { seed: 3 });
  const full = attn.forward(x).dataSync();
  const cache = new AttentionCache(7);
  const pieces: Tensor[] = [];
  for (const [start, end] of [
    [0, 3],
    [3, 4],
    [4, 5],
  ] as const) {
    pieces.push(attn.forward(x.slice([0, start, 0], [2, end, 8]), cache));
  }
  assert.equal(cache.length, 5);
  assert.deepEqual(cache.projections!.shape, [2, 7, 24]);
  close(concat(pieces, 1).dataSync(), full, 1e-5);
  assert.throws(
    () => attn.forward(x.slice([0, 0, 0], [2, 3, 8]), cache),
    /5 cached \+ 3 new positions exceed the capacity 7/,
  );
});

test("gradients reach every parameter of a block; its parameter count is 12C² + 13C", () => {
  const embd = 8;
  const block = new TransformerBlock(embd, 2, { rng: new SeededRng(7) });
  const names = block.namedParameters().map(([n]) => n);
  assert.deepEqual(names, [
    "ln1.weight",
    "ln1.bias",
    "attn.qkv.weight",
    "attn.qkv.bias",
    "attn.proj.weight",
    "attn.proj.bias",
    "ln2.weight",
    "ln2.bias",
    "mlp.fc.weight",
    "mlp.fc.bias",
    "mlp.proj.weight",
    "mlp.proj.bias",
  ]);
  assert.equal(block.parameterCount(), 12 * embd * embd + 13 * embd);
  const loss = block
    .forward(randn([1, 3, embd], { seed: 4 }))
    .square()
    .sum();
  const grads = gradients(loss, block.parameters());
  grads.forEach((g, i) => {
    assert.ok(
      g.dataSync().some((v) => v !== 0),
      `${names[i]} got a zero gradient`,
    );
  });
  const noBias = new TransformerBlock(embd, 2, { bias: false });
  assert.equal(noBias.parameterCount(), 12 * embd * embd + 2 * embd);
});

test("a block's summary names every layer and its type", () => {
  const text = new TransformerBlock(8, 2).summary();
  for (const [name, type] of [
    ["ln1", "LayerNorm"],
    ["attn", "MultiHeadAttention"],
    ["attn.qkv", "Linear"],
    ["attn.proj", "Linear"],
    ["attn.attnDropout", "Dropout"],
    ["attn.residDropout", "Dropout"],
    ["ln2", "LayerNorm"],
    ["mlp", "MLP"],
    ["mlp.fc", "Linear"],
    ["mlp.proj", "Linear"],
    ["mlp.dropout", "Dropout"],
  ]) {
    assert.match(text, new RegExp(`\\s${name.replace(".", "\\.")}\\s+${type}\\s`), name);
  }
  assert.match(text, /attn\.qkv\s+Linear\s+weight \[24,8\], bias \[24\]\s+216\n/);
  assert.match(text, /Total parameters: 872 /);
});

test("attention checks its input and its head count", () => {
  assert.throws(() => new MultiHeadAttention(6, 4), /embd 6 is not divisible by nHead 4/);
  assert.throws(
    () => new MultiHeadAttention(4, 2).forward(zeros([2, 4])),
    /expects \[batch, time, 4\], got \[2,4\]/,
  );
});
