import assert from "node:assert/strict";
import { test } from "node:test";
import { CharTokenizer } from "../../src/text/char-tokenizer.js";

test("the vocabulary is the sorted unique code points, with emoji as single tokens", () => {
  const tokenizer = CharTokenizer.fromCorpus("ba😀\uFFFDab");
  // By code point U+FFFD comes before U+1F600, although its UTF-16 unit sorts after 0xD83D.
  assert.deepEqual(tokenizer.vocab, ["a", "b", "\uFFFD", "😀"]);
  assert.equal(tokenizer.vocabSize, 4);
  assert.deepEqual([...tokenizer.encode("😀ab")], [3, 0, 1]);
  assert.equal(tokenizer.decode(tokenizer.encode("😀ab\uFFFD")), "😀ab\uFFFD");
});

test("unknown characters throw, naming the character, unless an unknown token is set", () => {
  const strict = CharTokenizer.fromCorpus("abc");
  assert.throws(() => strict.encode("abz"), /"z" \(U\+007A\) is not in the vocabulary/);
  const lenient = CharTokenizer.fromCorpus("abc", { unknownToken: "<unk>" });
  assert.equal(lenient.vocabSize, 4);
  assert.deepEqual([...lenient.encode("azb")], [0, 3, 1]);
  assert.equal(lenient.decode(lenient.encode("azb")), "a<unk>b");
  // An unknown token that is already a corpus character reuses its id.
  const reuse = CharTokenizer.fromCorpus("ab?", { unknownToken: "?" });
  assert.equal(reuse.vocabSize, 3);
  assert.equal(reuse.decode(reuse.encode("a!")), "a?");
});

test("decode rejects ids outside the vocabulary", () => {
  const tokenizer = CharTokenizer.fromCorpus("ab");
  assert.throws(() => tokenizer.decode([2]), /token id 2 is outside the vocabulary \[0, 2\)/);
  assert.throws(() => tokenizer.decode([-1]), /outside the vocabulary/);
});

test("toJSON/fromJSON round-trips through JSON text", () => {
  const tokenizer = CharTokenizer.fromCorpus("hello, wörld 🌍", { unknownToken: "<unk>" });
  const restored = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
  assert.deepEqual(restored.vocab, tokenizer.vocab);
  assert.equal(restored.unknownToken, "<unk>");
  assert.deepEqual(restored.encode("hello 🌍!"), tokenizer.encode("hello 🌍!"));
  assert.throws(() => CharTokenizer.fromJSON({ type: "bpe" } as never), /type "char"/);
  assert.throws(() => CharTokenizer.fromJSON({ type: "char", vocab: ["a", "a"] }), /repeats "a"/);
});

test("lone surrogates are code points of their own", () => {
  const text = "x\uD800y\uDC00";
  const tokenizer = CharTokenizer.fromCorpus(text);
  assert.equal(tokenizer.vocabSize, 4);
  assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
});
