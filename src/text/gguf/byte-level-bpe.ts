// Byte-level BPE as GPT-2, Llama 3 and Qwen 2 files use it ("gpt2" tokenizers): the
// pre-tokenizer cuts text into words, each word's UTF-8 bytes are spelled in GPT-2's byte
// alphabet, and the adjacent pair with the lowest merge rank joins first (the leftmost on
// ties) until no listed merge applies.
import { BinaryHeap } from "../binary-heap.js";
import { bytesToVocabularyText } from "./byte-unicode.js";
import { type PreTokenizer, preTokenize } from "./pretokenizers.js";

interface Symbol {
  start: number;
  length: number;
  prev: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  rank: number;
  text: string;
}

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
    const symbols: Symbol[] = [];
    let position = 0;
    for (const char of word) {
      symbols.push({
        start: position,
        length: char.length,
        prev: symbols.length - 1,
        next: symbols.length + 1,
      });
      position += char.length;
    }
    if (symbols.length === 0) return [];
    symbols[symbols.length - 1]!.next = -1;
    const text = (s: Symbol) => word.slice(s.start, s.start + s.length);
    const queue = new BinaryHeap<Bigram>((a, b) => a.rank < b.rank || (a.rank === b.rank && a.left < b.left));
    const tryPair = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const a = text(symbols[left]!);
      const b = text(symbols[right]!);
      const rank = this.#ranks.get(`${a} ${b}`);
      if (rank !== undefined) queue.push({ left, right, rank, text: a + b });
    };
    for (let i = 1; i < symbols.length; i++) tryPair(i - 1, i);
    for (let bigram = queue.pop(); bigram; bigram = queue.pop()) {
      const left = symbols[bigram.left]!;
      const right = symbols[bigram.right]!;
      if (left.length === 0 || right.length === 0 || text(left) + text(right) !== bigram.text) continue;
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next]!.prev = bigram.left;
      tryPair(left.prev, bigram.left);
      tryPair(bigram.left, left.next);
    }
    const tokens: number[] = [];
    for (let i = 0; i !== -1; i = symbols[i]!.next) {
      const piece = text(symbols[i]!);
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
