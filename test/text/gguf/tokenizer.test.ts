import assert from "node:assert/strict";
import { test } from "node:test";
import { encode as gpt2Encode } from "gpt-tokenizer/encoding/r50k_base";
import llamaTokenizer from "llama-tokenizer-js";
import llama3Tokenizer from "llama3-tokenizer-js";
import { GgufFile } from "../../../src/formats/gguf/gguf-file.js";
import { serializeGguf } from "../../../src/formats/gguf/write-gguf.js";
import { GgufTokenizer } from "../../../src/text/gguf/tokenizer.js";
import { vocabularyMetadata } from "../../../src/text/gguf/vocabulary.js";
import { TOKENIZER_CORPUS } from "../../fixtures/tokenizer-corpus.js";
import { gpt2Vocabulary, llama2Vocabulary, llama3Vocabulary } from "../../fixtures/vocabularies.js";
import { TARGET_INDEPENDENT } from "../../helpers/target-independent.js";

// Each vocabulary goes through a GGUF file, so the tokenizer is the one a model file gives.
function tokenizerThroughGguf(vocab: Parameters<typeof vocabularyMetadata>[0]): GgufTokenizer {
  const bytes = serializeGguf({ metadata: vocabularyMetadata(vocab), tensors: [] });
  return GgufTokenizer.fromGguf(GgufFile.fromBytes(bytes));
}

test("llama (SentencePiece BPE): the same ids as llama-tokenizer-js on the whole corpus, and back to the text", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const tokenizer = tokenizerThroughGguf(llama2Vocabulary());
  assert.equal(tokenizer.vocabSize, 32000);
  for (const text of TOKENIZER_CORPUS) {
    const ids = tokenizer.encode(text, { addSpecial: false });
    assert.deepEqual(ids, llamaTokenizer.encode(text, false, true), JSON.stringify(text));
    // The space put before the text comes back; everything else exactly.
    if (text.length) assert.equal(tokenizer.decode(ids), ` ${text}`);
  }
  assert.deepEqual(tokenizer.encode("Hi"), [1, ...tokenizer.encode("Hi", { addSpecial: false })]);
});

test("llama: byte fallback spells a character outside the vocabulary as its UTF-8 bytes", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const tokenizer = tokenizerThroughGguf(llama2Vocabulary());
  const ids = tokenizer.encode("🦙", { addSpecial: false });
  const bytes = ids.slice(1).map((id) => tokenizer.vocab.tokens[id]);
  assert.deepEqual(bytes, ["<0xF0>", "<0x9F>", "<0xA6>", "<0x99>"]);
});

test("llama: control tokens in text are split out only when asked, with a space after them", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const tokenizer = tokenizerThroughGguf(llama2Vocabulary());
  const parsed = tokenizer.encode("a</s>b", { addSpecial: false, parseSpecial: true });
  assert.deepEqual(parsed, [
    ...tokenizer.encode("a", { addSpecial: false }),
    2,
    ...tokenizer.encode("b", { addSpecial: false }),
  ]);
  assert.ok(!tokenizer.encode("a</s>b", { addSpecial: false }).includes(2));
});

test("gpt2 with pre-tokenizer llama-bpe: the same ids as llama3-tokenizer-js on the whole corpus", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const tokenizer = tokenizerThroughGguf(llama3Vocabulary());
  assert.equal(tokenizer.vocabSize, 128256);
  for (const text of TOKENIZER_CORPUS) {
    const ids = tokenizer.encode(text, { addSpecial: false, parseSpecial: true });
    assert.deepEqual(ids, llama3Tokenizer.encode(text, { bos: false, eos: false }), JSON.stringify(text));
    assert.equal(tokenizer.decode(ids, { special: true }), text);
  }
  assert.equal(tokenizer.encode("x")[0], 128000, "add_bos_token puts <|begin_of_text|> first");
  assert.ok(tokenizer.endOfGeneration.has(128009) && tokenizer.endOfGeneration.has(128001));
});

test("gpt2 with pre-tokenizer gpt-2: the same ids as gpt-tokenizer's r50k_base on the whole corpus", {
  skip: TARGET_INDEPENDENT,
}, () => {
  const tokenizer = tokenizerThroughGguf(gpt2Vocabulary());
  assert.equal(tokenizer.vocabSize, 50257);
  // "<|endoftext|>" in the corpus is spelled out as text on both sides.
  const disallowedSpecial = new Set<string>();
  for (const text of TOKENIZER_CORPUS) {
    const ids = tokenizer.encode(text, { addSpecial: false });
    assert.deepEqual(ids, gpt2Encode(text, { disallowedSpecial }), JSON.stringify(text));
    assert.equal(tokenizer.decode(ids), text);
  }
  assert.deepEqual(tokenizer.encode("<|endoftext|>", { parseSpecial: true }), [50256]);
});

test("qwen2 pre-tokenizer: digits one by one, otherwise as llama-bpe", { skip: TARGET_INDEPENDENT }, () => {
  const tokenizer = tokenizerThroughGguf({ ...llama3Vocabulary(), pre: "qwen2" });
  const digits = tokenizer.encode("12345", { addSpecial: false }).map((id) => tokenizer.vocab.tokens[id]);
  assert.deepEqual(digits, ["1", "2", "3", "4", "5"]);
  assert.throws(
    () => tokenizerThroughGguf({ ...llama3Vocabulary(), pre: "mystery" }),
    /"mystery" is not supported/,
  );
});
