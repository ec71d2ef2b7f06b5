import assert from "node:assert/strict";
import { test } from "node:test";
import { arange, noGrad, tensor } from "../../../src/index.js";
import { Gpt, type GptConfig } from "../../../src/models/gpt/index.js";

const config: GptConfig = {
  vocabSize: 11,
  blockSize: 8,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  dropout: 0,
  bias: true,
};

test("Gpt.attention: causal rows summing to 1, as softmax(q·kᵀ/√d) computed by hand from the first layer", () => {
  const model = new Gpt(config, { seed: 3 });
  const ids = [1, 4, 2, 7, 7, 0];
  const maps = model.attention(ids);
  assert.deepEqual([maps.layers, maps.heads, maps.length], [2, 2, 6]);
  for (let layer = 0; layer < 2; layer++) {
    for (let head = 0; head < 2; head++) {
      const m = maps.map(layer, head);
      for (let q = 0; q < 6; q++) {
        let sum = 0;
        for (let k = 0; k < 6; k++) {
          if (k > q) assert.equal(m[q * 6 + k], 0, `(${layer},${head}) row ${q} sees no later position`);
          sum += m[q * 6 + k]!;
        }
        assert.ok(Math.abs(sum - 1) < 1e-5, `row sums to 1, got ${sum}`);
      }
    }
  }
  // Layer 0 by hand: x = wte[ids] + wpe[0..T), h = ln1(x), qkv = h·Wᵀ + b, per head softmax.
  const block = model.blocks.items[0]!;
  const h = noGrad(() =>
    block.ln1.forward(
      model.wte.forward(tensor(ids, [1, 6], { dtype: "int32" })).add(model.wpe.forward(arange(6))),
    ),
  ).dataSync();
  const w = block.attn.qkv.weight.dataSync();
  const b = block.attn.qkv.bias!.dataSync();
  const embd = 16;
  const qkv = (t: number, o: number) => {
    let s = b[o]!;
    for (let i = 0; i < embd; i++) s += h[t * embd + i]! * w[o * embd + i]!;
    return s;
  };
  const headDim = 8;
  for (let head = 0; head < 2; head++) {
    const m = maps.map(0, head);
    for (let q = 0; q < 6; q++) {
      const scores = Array.from({ length: q + 1 }, (_, k) => {
        let s = 0;
        for (let d = 0; d < headDim; d++) s += qkv(q, head * headDim + d) * qkv(k, embd + head * headDim + d);
        return s / Math.sqrt(headDim);
      });
      const max = Math.max(...scores);
      const total = scores.reduce((a, s) => a + Math.exp(s - max), 0);
      scores.forEach((s, k) => {
        assert.ok(Math.abs(m[q * 6 + k]! - Math.exp(s - max) / total) < 1e-5, `head ${head} (${q}, ${k})`);
      });
    }
  }
  assert.equal(model.training, true, "the model's mode is restored");
});

test("Gpt.attention: clear errors for an empty, too long or out-of-vocabulary prompt", () => {
  const model = new Gpt(config);
  assert.throws(() => model.attention([]), /1 to 8 tokens/);
  assert.throws(() => model.attention(Array(9).fill(1)), /1 to 8 tokens/);
  assert.throws(() => model.attention([1, 11]), /token id 11 is outside the vocabulary \[0, 11\)/);
  assert.throws(() => model.attention([1]).map(2, 0), /outside 2 layers × 2 heads/);
});

test("generate reports each token's probability and the most likely alternatives", () => {
  const model = new Gpt(config, { seed: 1 });
  const seen: { id: number; p: number; alts: { id: number; probability: number }[] }[] = [];
  const out = model.generate([1, 2], {
    maxTokens: 4,
    seed: 5,
    alternatives: 3,
    onToken: (id, choice) => {
      seen.push({ id, p: choice!.probability, alts: [...choice!.alternatives] });
    },
  });
  assert.deepEqual(
    seen.map((s) => s.id),
    out,
  );
  for (const { id, p, alts } of seen) {
    assert.equal(alts.length, 3);
    assert.ok(alts[0]!.probability >= alts[1]!.probability && alts[1]!.probability >= alts[2]!.probability);
    assert.ok(p > 0 && p <= alts[0]!.probability + 1e-12);
    const listed = alts.find((a) => a.id === id);
    if (listed) assert.equal(listed.probability, p);
  }
  assert.deepEqual(
    model.generate([1, 2], { maxTokens: 4, seed: 5 }),
    out,
    "the same tokens without reporting",
  );
});
