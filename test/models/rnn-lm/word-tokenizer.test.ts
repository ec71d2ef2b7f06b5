import assert from "node:assert/strict";
import { test } from "node:test";
import { WordTokenizer } from "../../../src/models/rnn-lm/word-tokenizer.js";
import { createStreamingDecoder, tokenizerFromJson } from "../../../src/train/tokenizer.js";

const text = "the cat sat\non the mat\n\nthe end";

test("words by frequency after <unk> and the line break; line breaks are tokens", () => {
  const tokenizer = WordTokenizer.fromCorpus(text);
  // "the" ×3 first, then the rest in order of first appearance.
  assert.deepEqual(tokenizer.vocab, ["<unk>", "\n", "the", "cat", "sat", "on", "mat", "end"]);
  const ids = tokenizer.encode(text);
  assert.deepEqual([...ids], [2, 3, 4, 1, 5, 2, 6, 1, 1, 2, 7]);
  // Decoding puts one space between the words of a line.
  assert.equal(tokenizer.decode(ids), text);
  assert.equal(tokenizer.decode(tokenizer.encode("  the   dog\tsat ")), "the <unk> sat");
  const small = WordTokenizer.fromCorpus(text, { maxVocab: 4 });
  assert.deepEqual(small.vocab, ["<unk>", "\n", "the", "cat"]);
  assert.throws(() => WordTokenizer.fromCorpus(text, { maxVocab: 2 }), /maxVocab must be at least 3, got 2/);
  assert.throws(() => new WordTokenizer(["a", "\n"]), /must start with <unk> and "\\n"/);
  assert.throws(() => tokenizer.decode([8]), /token id 8 is outside the vocabulary \[0, 8\)/);
});

test("its JSON form comes back through tokenizerFromJson, and streamed words are spaced after a prompt", () => {
  const tokenizer = tokenizerFromJson(WordTokenizer.fromCorpus(text).toJSON());
  assert.equal(tokenizer.vocabSize, 8);
  const stream = (prompt: string, ids: number[]) => {
    const decode = createStreamingDecoder(tokenizer, prompt);
    return prompt + ids.map(decode).join("");
  };
  assert.equal(stream("the", [3, 4, 1, 2]), "the cat sat\nthe");
  assert.equal(stream("the ", [3]), "the cat");
  assert.equal(stream("the end\n", [2, 3]), "the end\nthe cat");
});
