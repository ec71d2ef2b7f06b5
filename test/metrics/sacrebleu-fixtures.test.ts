// BLEU and chrF against sacrebleu (fixtures/make_sacrebleu_fixtures.py wrote fixtures/sacrebleu.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { corpusBleu, corpusChrf, sentenceBleu, sentenceChrf, tokenize13a } from "../../src/metrics/index.js";

const fixtures = JSON.parse(
  readFileSync(new URL("../../../test/metrics/fixtures/sacrebleu.json", import.meta.url), "utf8"),
);

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

interface Corpus {
  hyps: string[];
  refs: string[][];
  bleu: {
    score: number;
    counts: number[];
    totals: number[];
    precisions: number[];
    bp: number;
    sysLen: number;
    refLen: number;
  };
  chrf: number;
  chrfPlusPlus: number;
}

describe(`BLEU and chrF against sacrebleu ${fixtures.sacrebleu}`, () => {
  for (const [name, c] of Object.entries(fixtures.corpora) as [string, Corpus][]) {
    it(`corpus "${name}"`, () => {
      const bleu = corpusBleu(c.hyps, c.refs);
      close(bleu.score, c.bleu.score, "BLEU");
      assert.deepEqual(bleu.counts, c.bleu.counts);
      assert.deepEqual(bleu.totals, c.bleu.totals);
      bleu.precisions.forEach((p, i) => {
        close(p, c.bleu.precisions[i]!, `precision ${i + 1}`);
      });
      close(bleu.bp, c.bleu.bp, "brevity penalty");
      assert.equal(bleu.sysLen, c.bleu.sysLen);
      assert.equal(bleu.refLen, c.bleu.refLen);
      close(corpusChrf(c.hyps, c.refs), c.chrf, "chrF");
      close(corpusChrf(c.hyps, c.refs, { wordOrder: 2 }), c.chrfPlusPlus, "chrF++");
    });
  }

  it("sentence BLEU (effective order) and sentence chrF", () => {
    for (const s of fixtures.sentences) {
      close(sentenceBleu(s.hyp, s.refs).score, s.bleu.score, `BLEU of "${s.hyp}"`);
      close(sentenceChrf(s.hyp, s.refs), s.chrf, `chrF of "${s.hyp}"`);
    }
  });

  it("the 13a tokenizer splits punctuation but keeps numbers whole", () => {
    assert.equal(tokenize13a("It costs $12.50, isn't it?"), "It costs $ 12.50 , isn't it ?");
    assert.equal(tokenize13a("1-2 a-b &amp; x"), "1 - 2 a-b & x");
  });

  it("rejects reference streams that do not line up", () => {
    assert.throws(
      () => corpusBleu(["a", "b"], [["a"]]),
      /reference stream 0 has 1 segments for 2 hypotheses/,
    );
  });
});
