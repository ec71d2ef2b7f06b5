import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { candidateDistribution, sampleToken } from "../../src/text/sampling.js";

// Logits whose softmax is exactly [0.5, 0.3, 0.15, 0.05], in shuffled token order.
const probsByToken = [0.15, 0.5, 0.05, 0.3];
const logits = Float32Array.from(probsByToken, Math.log);

function softmax(values: ArrayLike<number>, temperature = 1): number[] {
  const max = Math.max(...Array.from(values));
  const weights = Array.from(values, (v) => Math.exp((v - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) < tolerance, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

test("temperature 0 is greedy: the argmax, first on ties", () => {
  const rng = new SeededRng(1);
  assert.equal(sampleToken(logits, rng, { temperature: 0 }), 1);
  assert.equal(sampleToken(Float32Array.of(3, 7, 7, -1), rng, { temperature: 0 }), 1);
  assert.equal(sampleToken(Float32Array.of(Number.NEGATIVE_INFINITY, -5), rng, { temperature: 0 }), 1);
  // Greedy decoding draws nothing from the generator.
  const before = rng.state();
  sampleToken(logits, rng, { temperature: 0, topK: 2 });
  assert.deepEqual(rng.state(), before);
});

test("without filters the candidates are the softmax, most likely first", () => {
  const { ids, probs } = candidateDistribution(logits);
  assert.deepEqual([...ids], [1, 3, 0, 2]);
  assertClose(probs, [0.5, 0.3, 0.15, 0.05]);
  const hot = candidateDistribution(logits, { temperature: 2 });
  assertClose(
    hot.probs,
    [1, 3, 0, 2].map((id) => softmax(logits, 2)[id]!),
  );
});

test("top-k keeps exactly the k most likely tokens", () => {
  const { ids, probs } = candidateDistribution(logits, { topK: 2 });
  assert.deepEqual([...ids], [1, 3]);
  assertClose(probs, [0.5 / 0.8, 0.3 / 0.8]);
  assert.equal(candidateDistribution(logits, { topK: 10 }).ids.length, 4);
  const rng = new SeededRng(5);
  for (let i = 0; i < 500; i++) assert.ok([1, 3].includes(sampleToken(logits, rng, { topK: 2 })));
});

test("top-p keeps the smallest set whose probability reaches p", () => {
  const nucleus = (topP: number) => [...candidateDistribution(logits, { topP }).ids];
  assert.deepEqual(nucleus(0.4), [1]);
  assert.deepEqual(nucleus(0.5), [1]);
  assert.deepEqual(nucleus(0.51), [1, 3]);
  assert.deepEqual(nucleus(0.85), [1, 3, 0]);
  assert.deepEqual(nucleus(1), [1, 3, 0, 2]);
  // Applied after top-k, on the renormalized top-k probabilities (0.625, 0.375).
  assert.deepEqual([...candidateDistribution(logits, { topK: 2, topP: 0.6 }).ids], [1]);
});

test("min-p keeps tokens at least minP times as likely as the best one", () => {
  const kept = (minP: number) => [...candidateDistribution(logits, { minP }).ids];
  assert.deepEqual(kept(0), [1, 3, 0, 2]);
  assert.deepEqual(kept(0.25), [1, 3, 0]); // threshold 0.125
  assert.deepEqual(kept(0.5), [1, 3]); // threshold 0.25
  assert.deepEqual(kept(1), [1]);
});

test("repetition penalty divides positive and multiplies negative logits of seen tokens", () => {
  const scores = Float32Array.of(2, -2, 1);
  const { ids, probs } = candidateDistribution(scores, { repetitionPenalty: 2, previousTokens: [0, 1, 0] });
  const expected = softmax([1, -4, 1]);
  assert.deepEqual([...ids], [0, 2, 1]);
  assertClose(probs, [expected[0]!, expected[2]!, expected[1]!]);
  assert.equal(
    sampleToken(scores, new SeededRng(0), { temperature: 0, repetitionPenalty: 3, previousTokens: [0] }),
    2,
  );
  assert.throws(
    () => candidateDistribution(scores, { repetitionPenalty: 2, previousTokens: [3] }),
    /previous token 3/,
  );
});

test("the same seed gives the same draws", () => {
  const options = { temperature: 0.8, topK: 3, topP: 0.95, minP: 0.05 };
  const draw = (seed: number) => {
    const rng = new SeededRng(seed);
    return Array.from({ length: 50 }, () => sampleToken(logits, rng, options));
  };
  assert.deepEqual(draw(11), draw(11));
  assert.notDeepEqual(draw(11), draw(12));
});

test("at temperature 1 draws follow the softmax (chi-square test)", () => {
  const scores = Float32Array.of(1.2, -0.3, 0.4, 2.0, 0.0);
  const expected = softmax(scores);
  const rng = new SeededRng(2024);
  const trials = 20000;
  const counts = new Array<number>(scores.length).fill(0);
  for (let i = 0; i < trials; i++) counts[sampleToken(scores, rng)]!++;
  const chiSquare = counts.reduce(
    (sum, c, i) => sum + (c - trials * expected[i]!) ** 2 / (trials * expected[i]!),
    0,
  );
  // 4 degrees of freedom: 18.47 is the 0.999 quantile.
  assert.ok(chiSquare < 18.47, `chi-square ${chiSquare}, counts ${counts}`);
});

test("-Infinity logits are never drawn", () => {
  const masked = Float32Array.of(Number.NEGATIVE_INFINITY, 0, Number.NEGATIVE_INFINITY, 0);
  const rng = new SeededRng(9);
  for (let i = 0; i < 200; i++) assert.ok([1, 3].includes(sampleToken(masked, rng)));
});

test("bad options and logits give clear errors", () => {
  const rng = new SeededRng(0);
  assert.throws(
    () => sampleToken(logits, rng, { temperature: -0.5 }),
    /temperature must be a finite number >= 0/,
  );
  assert.throws(() => sampleToken(logits, rng, { temperature: Number.NaN }), /temperature/);
  for (const topP of [0, -0.1, 1.5, Number.NaN]) {
    assert.throws(() => sampleToken(logits, rng, { topP }), /topP must be in \(0, 1\]/);
  }
  for (const topK of [0, 1.5, -3])
    assert.throws(() => sampleToken(logits, rng, { topK }), /topK must be an integer >= 1/);
  assert.throws(() => sampleToken(logits, rng, { minP: 2 }), /minP must be in \[0, 1\]/);
  assert.throws(() => sampleToken(logits, rng, { repetitionPenalty: 0 }), /repetitionPenalty/);
  assert.throws(() => sampleToken(Float32Array.of(0, Number.NaN), rng), /logit 1 is NaN/);
  assert.throws(() => sampleToken(Float32Array.of(Number.POSITIVE_INFINITY), rng), /logit 0 is Infinity/);
  assert.throws(
    () => sampleToken(Float32Array.of(Number.NEGATIVE_INFINITY), rng),
    /every logit is -Infinity/,
  );
  assert.throws(() => sampleToken(new Float32Array(0), rng), /logits are empty/);
});
