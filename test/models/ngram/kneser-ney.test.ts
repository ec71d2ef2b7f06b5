import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type NgramLanguageModel, trainNgram } from "../../../src/models/ngram/index.js";
import { assertNear as close } from "../../helpers/assert-close.js";
import { referenceKneserNey } from "./reference-kneser-ney.js";

/** Σ P(w | history) over every token the model can predict (all but <s>). */
function totalProbability(model: NgramLanguageModel, history: readonly string[]): number {
  let total = 0;
  for (const token of model.vocabulary.list()) if (token !== "<s>") total += model.prob(history, token);
  return total;
}

// Two sentences: "<s> a b </s>" and "<s> b a b </s>". Vocabulary without <s>: <unk> </s> a b, |V| = 4.
const TINY = "a b\nb a b\n";

test("bigram probabilities match a hand calculation", () => {
  const model = trainNgram({ order: 2 }, TINY);
  // Bigram raw counts: <s> a = 1, a b = 2, b </s> = 2, <s> b = 1, b a = 1 → n1 = 3, n2 = 2, n3 = 0:
  // degenerate, so D = 0.5, 1, 1.5. Unigram continuation counts (distinct left neighbours):
  // a: {<s>, b} = 2, b: {<s>, a} = 2, </s>: {b} = 1 → n1 = 1, n2 = 2, n3 = 0: also fallback.
  assert.ok(model.discounts.every((d) => d.fallback && d.d1 === 0.5 && d.d2 === 1 && d.d3plus === 1.5));
  // Unigrams: total 5, γ = (D(2) + D(2) + D(1)) / 5 = (1 + 1 + 0.5) / 5 = 0.5, uniform 1/4:
  //   p(a) = p(b) = (2 − 1)/5 + 0.5/4 = 0.325;  p(</s>) = (1 − 0.5)/5 + 0.125 = 0.225;  p(<unk>) = 0.125
  close(model.prob([], "a"), 0.325);
  close(model.prob([], "b"), 0.325);
  close(model.prob([], "</s>"), 0.225);
  close(model.prob([], "<unk>"), 0.125);
  close(model.prob([], "never-seen"), 0.125);
  // Context b: b a = 1, b </s> = 2, total 3, γ(b) = (0.5 + 1)/3 = 0.5:
  //   p(a | b) = (1 − 0.5)/3 + 0.5·0.325 = 0.329166…;  p(</s> | b) = (2 − 1)/3 + 0.5·0.225 = 0.445833…
  //   p(b | b) = 0.5·0.325 = 0.1625;  p(<unk> | b) = 0.5·0.125 = 0.0625
  close(model.prob(["b"], "a"), 0.5 / 3 + 0.1625);
  close(model.prob(["b"], "</s>"), 1 / 3 + 0.1125);
  close(model.prob(["b"], "b"), 0.1625);
  close(model.prob(["b"], "<unk>"), 0.0625);
  // Context <s>: <s> a = 1, <s> b = 1, total 2, γ = (0.5 + 0.5)/2 = 0.5: p(a | <s>) = 0.25 + 0.1625 = 0.4125
  close(model.prob(["<s>"], "a"), 0.4125);
  // An unseen context backs off to the unigrams untouched; <s> is never predicted.
  close(model.prob(["zzz"], "a"), 0.325);
  assert.equal(model.prob(["a"], "<s>"), 0);
  close(model.logProb(["<s>"], "a"), Math.log(0.4125));
  close(model.log10Prob(["<s>"], "a"), Math.log10(0.4125));
});

test("trigram probabilities match a hand calculation (raw counts for <s>-initial bigrams)", () => {
  const model = trainNgram({ order: 3 }, TINY);
  // Trigrams (raw): <s> a b = 1, a b </s> = 2, <s> b a = 1, b a b = 1.
  // Bigrams: <s> a = 1 and <s> b = 1 keep raw counts; the rest are continuation counts:
  //   a b = |{<s>, b}| = 2, b </s> = |{a}| = 1, b a = |{<s>}| = 1. Unigrams as in the bigram test.
  // All orders are degenerate → D = 0.5, 1, 1.5.
  // p(</s> | a b): context "a b" has a b </s> = 2 → total 2, γ = 1/2;
  //   p2(</s> | b): b </s> = 1, b a = 1 → total 2, γ = (0.5 + 0.5)/2 = 0.5;
  //   p2(</s> | b) = (1 − 0.5)/2 + 0.5·0.225 = 0.3625;  p3 = (2 − 1)/2 + 0.5·0.3625 = 0.68125
  close(model.prob(["a", "b"], "</s>"), 0.68125);
  // p(b | <s> a): context "<s> a" has <s> a b = 1 → total 1, γ = 0.5;
  //   p2(b | a): a b = 2 → total 2, γ = 0.5, p2 = (2 − 1)/2 + 0.5·0.325 = 0.6625
  //   p3 = (1 − 0.5)/1 + 0.5·0.6625 = 0.83125
  close(model.prob(["<s>", "a"], "b"), 0.83125);
  // Context "b b" never seen: p(a | b b) = p2(a | b) = (1 − 0.5)/2 + 0.5·0.325 = 0.4125
  close(model.prob(["b", "b"], "a"), 0.4125);
  // Longer contexts than order − 1 only use their last two tokens.
  close(model.prob(["x", "y", "a", "b"], "</s>"), 0.68125);
});

test("probabilities sum to 1 over the vocabulary for every history, word and char level", () => {
  const text = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "the cat saw the dog on the mat and the cat sat",
    "on the log the dog sat",
  ].join("\n");
  for (const level of ["word", "char"] as const) {
    for (const order of [1, 2, 3, 4, 5]) {
      const model = trainNgram({ order, level }, text);
      const tokens = model.vocabulary.list().filter((t) => t !== "<s>");
      const histories: string[][] = [[], ["<s>"], ["<unk>"], ["<s>", "<unk>"], ["never", "seen"]];
      for (const a of tokens) {
        histories.push([a], ["<s>", a]);
        for (const b of tokens.slice(0, 6)) histories.push([a, b], ["<s>", a, b], [b, a, b, a]);
      }
      for (const history of histories) close(totalProbability(model, history), 1, 1e-9);
    }
  }
});

test("matches a naive Map-based Kneser-Ney on random corpora (property)", () => {
  const sentence = fc.array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 7 });
  fc.assert(
    fc.property(
      fc.array(sentence, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 4 }),
      (sentences, order) => {
        const model = trainNgram(
          { order },
          sentences.map((s) => s.join(" ")),
        );
        const reference = referenceKneserNey(order, sentences);
        const tokens = reference.vocabulary;
        for (const history of [[], ["<s>"], ["a"], ["<s>", "b"], ["a", "b", "c"], ["d", "d", "a"]]) {
          let total = 0;
          for (const token of tokens) {
            const p = model.prob(history, token);
            close(p, reference.prob(history.slice(-(order - 1) || history.length), token), 1e-12);
            total += p;
          }
          close(total, 1, 1e-9);
        }
      },
    ),
    { numRuns: 60, seed: 20240611 },
  );
});

test("char level: a sentence is a line, spaces are tokens, code points are single tokens", () => {
  const model = trainNgram({ order: 2, level: "char" }, "ab a\n\n🐳b\r\n");
  assert.deepEqual([...model.vocabulary.list()].sort(), ["</s>", "<s>", "<unk>", " ", "a", "b", "🐳"].sort());
  assert.equal(model.sentences, 2);
  assert.equal(model.tokens, 6);
  assert.ok(model.prob("🐳", "b") > model.prob("🐳", "a"));
  assert.ok(model.prob(["a"], "</s>") > 0);
});
