import assert from "node:assert/strict";
import { test } from "node:test";
import { trainNgram } from "../../../src/models/ngram/index.js";
import { assertNear as close } from "../../helpers/assert-close.js";

test("perplexity matches a hand calculation and counts tokens and OOVs", () => {
  // The bigram model of kneser-ney.test.ts: p(a | <s>) = 0.4125, p(b | a) = (2 − 1)/2 + 0.5·0.325
  // = 0.6625, p(</s> | b) = 1/3 + 0.1125. For "a b": 3 predicted tokens, no OOV.
  const model = trainNgram({ order: 2 }, "a b\nb a b\n");
  const result = model.perplexity("a b\n\n");
  const logProb = Math.log(0.4125) + Math.log(0.6625) + Math.log(1 / 3 + 0.1125);
  close(result.logProb, logProb);
  close(result.perplexity, Math.exp(-logProb / 3));
  assert.deepEqual([result.tokens, result.oovs, result.sentences], [3, 0, 1]);

  // "a zebra": zebra is OOV, scored as <unk>: p(<unk> | a) = γ(a)·p(<unk>) = 0.5·0.125,
  // then p(</s> | <unk>) = p(</s>) = 0.225 (the context <unk> was never seen).
  const withOov = model.perplexity(["a zebra"]);
  const oov = Math.log(0.0625);
  const all = Math.log(0.4125) + oov + Math.log(0.225);
  assert.deepEqual([withOov.tokens, withOov.oovs, withOov.sentences], [3, 1, 1]);
  close(withOov.perplexity, Math.exp(-all / 3));
  close(withOov.perplexityExcludingOovs, Math.exp(-(all - oov) / 2));
  assert.throws(() => model.perplexity("\n \n"), /no non-blank line/);
});

test("sampling is reproducible for a seed, stops at </s> or maxTokens, and never draws <unk> by default", () => {
  const text = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog\n";
  const model = trainNgram({ order: 3 }, text);
  const vocabulary = new Set(model.vocabulary.list());
  const samples = Array.from({ length: 20 }, (_, seed) => model.sample({ seed, maxTokens: 12 }));
  assert.deepEqual(
    samples,
    Array.from({ length: 20 }, (_, seed) => model.sample({ seed, maxTokens: 12 })),
  );
  assert.ok(new Set(samples.map((s) => s.text)).size > 5, "different seeds should give different samples");
  for (const sample of samples) {
    assert.ok(sample.tokens.length <= 12);
    assert.ok(sample.ended || sample.tokens.length === 12);
    assert.equal(sample.text, sample.tokens.join(" "));
    for (const token of sample.tokens) assert.ok(vocabulary.has(token) && !token.startsWith("<"));
  }
  // A very low temperature follows the most likely path from the prefix.
  const greedy = model.sample({ seed: 1, prefix: "a cat", temperature: 0.01 });
  assert.deepEqual(greedy.tokens, ["and", "a", "dog"]);
  assert.equal(greedy.ended, true);
  const chars = trainNgram({ order: 4, level: "char" }, text).sample({ seed: 3, maxTokens: 40 });
  assert.equal(chars.text, chars.tokens.join(""));
  assert.throws(() => model.sample({ temperature: 0 }), /temperature/);
  assert.throws(() => model.sample({ maxTokens: -1 }), /maxTokens/);
  // Far below 1, raw p^(1/T) would underflow to 0 for every token; the draw still works.
  assert.deepEqual(model.sample({ seed: 2, prefix: "a cat", temperature: 0.001 }).tokens, [
    "and",
    "a",
    "dog",
  ]);
});
