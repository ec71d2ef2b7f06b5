// The GGUF form of the tokenizers infiniset trains with, so an exported model tokenizes in
// llama.cpp exactly as it did here. Both become "gpt2" (byte-level BPE) vocabularies:
// - byte-level BPE: the 256 byte tokens then one token per merge, spelled in GPT-2's byte
//   alphabet, with the same merges in the same order and the GPT-2 pre-tokenizer;
// - characters: one token per character; a character of several UTF-8 bytes gets the
//   merges that join its bytes (the partial joins need not be tokens: only a merge's final
//   result is looked up), so BPE turns every character into its own token.

import type { BpeTokenizerJson } from "../bpe-tokenizer.js";
import type { CharTokenizerJson } from "../char-tokenizer.js";
import { GPT2_SPLIT_PATTERN } from "../pretokenize.js";
import { bytesToVocabularyText } from "./byte-unicode.js";
import { type GgufVocabulary, TokenType } from "./vocabulary.js";

export function vocabularyOfTrainedTokenizer(json: CharTokenizerJson | BpeTokenizerJson): GgufVocabulary {
  const encoder = new TextEncoder();
  if (json.type === "byte-level-bpe") {
    if (json.pattern !== GPT2_SPLIT_PATTERN) {
      throw new Error(
        "only byte-level BPE with GPT-2's pre-tokenization pattern can be written as a GGUF tokenizer",
      );
    }
    const tokens = Array.from({ length: 256 }, (_, byte) => bytesToVocabularyText(Uint8Array.of(byte)));
    const merges = json.merges.map(([a, b]) => {
      tokens.push(tokens[a]! + tokens[b]!);
      return `${tokens[a]} ${tokens[b]}`;
    });
    return { model: "gpt2", pre: "gpt-2", tokens, merges, addBos: false };
  }
  const types = new Int32Array(json.vocab.length).fill(TokenType.normal);
  const merges: string[] = [];
  const seen = new Set<string>();
  const tokens = json.vocab.map((token, id) => {
    if (token === json.unknownToken && [...token].length > 1) {
      types[id] = TokenType.unknown;
      return token;
    }
    const chars = [...bytesToVocabularyText(encoder.encode(token))];
    let joined = chars[0]!;
    for (const next of chars.slice(1)) {
      const merge = `${joined} ${next}`;
      if (!seen.has(merge)) merges.push(merge);
      seen.add(merge);
      joined += next;
    }
    return joined;
  });
  const unknownId = json.unknownToken === undefined ? undefined : json.vocab.indexOf(json.unknownToken);
  return {
    model: "gpt2",
    pre: "gpt-2",
    tokens,
    types,
    merges,
    addBos: false,
    ...(unknownId !== undefined && unknownId >= 0 ? { unknownId } : {}),
  };
}
