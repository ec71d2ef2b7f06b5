// The tokenizers a training run can use, behind one small interface, and their JSON form
// in a checkpoint's config: generation and evaluation rebuild exactly the tokenizer the
// model was trained with.
import { WordTokenizer, type WordTokenizerJson } from "../models/rnn-lm/word-tokenizer.js";
import { BpeTokenizer, type BpeTokenizerJson } from "../text/bpe-tokenizer.js";
import { CharTokenizer, type CharTokenizerJson } from "../text/char-tokenizer.js";

export type TokenizerJson = CharTokenizerJson | BpeTokenizerJson | WordTokenizerJson;

export interface TextTokenizer {
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  toJSON(): TokenizerJson;
}

/** Rebuilds a tokenizer from its `toJSON()` form. */
export function tokenizerFromJson(json: unknown): TextTokenizer {
  const type = json !== null && typeof json === "object" ? (json as { type?: unknown }).type : undefined;
  if (type === "char") return CharTokenizer.fromJSON(json as CharTokenizerJson);
  if (type === "byte-level-bpe") return BpeTokenizer.fromJSON(json as BpeTokenizerJson);
  if (type === "word") return WordTokenizer.fromJSON(json as WordTokenizerJson);
  throw new Error(`unknown tokenizer type ${JSON.stringify(type)} (known: "char", "byte-level-bpe", "word")`);
}

/**
 * Turns token ids into text as they arrive. Byte-level BPE tokens can end inside a
 * multi-byte character, so their bytes go through a streaming UTF-8 decoder that holds
 * back an incomplete character until the next token completes it. Word tokens are written
 * with a space before them unless they start a line, so the decoder needs to know whether
 * the text before them (`before`, the prompt) ends in a word.
 */
export function createStreamingDecoder(tokenizer: TextTokenizer, before = ""): (id: number) => string {
  if (tokenizer instanceof WordTokenizer) return tokenizer.streamingDecoder(/\S$/.test(before));
  if (tokenizer instanceof BpeTokenizer) {
    const decoder = new TextDecoder("utf-8");
    return (id) => decoder.decode(tokenizer.decodeBytes([id]), { stream: true });
  }
  return (id) => tokenizer.decode([id]);
}
