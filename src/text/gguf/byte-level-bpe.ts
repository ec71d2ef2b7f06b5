// Byte-level BPE as GPT-2, Llama 3 and Qwen 2 files use it ("gpt2" tokenizers): the
// pre-tokenizer cuts text into words, each word's UTF-8 bytes are spelled in GPT-2's byte
// alphabet, and the adjacent pair with the lowest merge rank joins first (the leftmost on
// ties) until no listed merge applies.
import { bytesToVocabularyText } from "./byte-unicode.js";
import { mergeSymbols } from "./merge-symbols.js";
import { type PreTokenizer, preTokenize } from "./pretokenizers.js";

const WORD_CACHE_LIMIT = 1 << 16;

export class ByteLevelBpe {
  readonly #ids: ReadonlyMap<string, number>;
  readonly #ranks = new Map<string, number>();
  readonly #pre: PreTokenizer;
  readonly #encoder = new TextEncoder();
  readonly #cache = new Map<string, readonly number[]>();

  constructor(ids: ReadonlyMap<string, number>, merges: readonly string[], pre: PreTokenizer) {
    this.#ids = ids;
    this.#pre = pre;
    merges.forEach((merge, rank) => {
      if (!this.#ranks.has(merge)) this.#ranks.set(merge, rank);
    });
  }

  /** Appends the tokens of `text` to `out`. */
  encode(text: string, out: number[]): void {
    for (const word of preTokenize(text, this.#pre)) {
      const spelled = bytesToVocabularyText(this.#encoder.encode(word));
      let tokens = this.#cache.get(spelled);
      if (!tokens) {
        tokens = this.#encodeWord(spelled);
        if (this.#cache.size >= WORD_CACHE_LIMIT) this.#cache.clear();
        this.#cache.set(spelled, tokens);
      }
      for (const id of tokens) out.push(id);
    }
  }

  #encodeWord(word: string): number[] {
    if (this.#pre.ignoreMerges) {
      const whole = this.#ids.get(word);
      if (whole !== undefined) return [whole];
    }
    const tokens: number[] = [];
    for (const piece of mergeSymbols(word, (a, b) => this.#ranks.get(`${a} ${b}`), true)) {
      const id = this.#ids.get(piece);
      if (id !== undefined) {
        tokens.push(id);
        continue;
      }
      // As llama.cpp: a piece that is no token falls back to those of its UTF-8 bytes that
      // are tokens by themselves (ASCII characters); the others are dropped.
      for (const byte of this.#encoder.encode(piece)) {
        const byteId = byte < 0x80 ? this.#ids.get(String.fromCharCode(byte)) : undefined;
        if (byteId !== undefined) tokens.push(byteId);
      }
    }
    return tokens;
  }
}
