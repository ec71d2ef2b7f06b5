import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compileSplitPattern, GPT2_SPLIT_PATTERN, splitIntoPieces } from "../../src/text/pretokenize.js";

const gpt2 = compileSplitPattern(GPT2_SPLIT_PATTERN);

test("GPT-2 split separates words, numbers, punctuation and spaces", () => {
  assert.deepEqual(splitIntoPieces("Hello, world! It's 2024.  Yes", gpt2), [
    "Hello",
    ",",
    " world",
    "!",
    " It",
    "'s",
    " 2024",
    ".",
    " ",
    " Yes",
  ]);
});

test("pieces always concatenate back to the input, even for patterns with gaps", () => {
  const digitsOnly = compileSplitPattern(String.raw`\d+`);
  assert.deepEqual(splitIntoPieces("ab12cd3", digitsOnly), ["ab", "12", "cd", "3"]);
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (text) => splitIntoPieces(text, gpt2).join("") === text),
  );
});

test("an invalid pattern gives a clear error", () => {
  assert.throws(() => compileSplitPattern("(unclosed"), /Invalid pre-tokenization pattern/);
});
