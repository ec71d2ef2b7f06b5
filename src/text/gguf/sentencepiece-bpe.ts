// SentencePiece BPE as Llama 1/2, TinyLlama and Mistral files use it ("llama" tokenizers):
// spaces become "▁", the text starts as single characters, and the adjacent pair whose
// joined string is the highest-scoring token merges first (the leftmost on ties), until no
// pair forms a token. A character that is no token is spelled as its UTF-8 bytes <0xXX>.
import { BinaryHeap } from "../binary-heap.js";

const SPACE = "▁";

interface Symbol {
  start: number;
  length: number;
  prev: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  length: number;
}

export class SentencePieceBpe {
  readonly #ids: ReadonlyMap<string, number>;
  readonly #scores: Float32Array;
  readonly #byteIds: Int32Array;

  constructor(ids: ReadonlyMap<string, number>, scores: Float32Array) {
    this.#ids = ids;
    this.#scores = scores;
    this.#byteIds = new Int32Array(256).fill(-1);
    for (let byte = 0; byte < 256; byte++) {
      const id = ids.get(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
      if (id !== undefined) this.#byteIds[byte] = id;
    }
  }

  /** Appends the tokens of `text` (spaces not yet escaped) to `out`. */
  encode(text: string, out: number[]): void {
    const escaped = text.replaceAll(" ", SPACE);
    const symbols: Symbol[] = [];
    let position = 0;
    for (const char of escaped) {
      symbols.push({
        start: position,
        length: char.length,
        prev: symbols.length - 1,
        next: symbols.length + 1,
      });
      position += char.length;
    }
    if (symbols.length === 0) return;
    symbols[symbols.length - 1]!.next = -1;
    const queue = new BinaryHeap<Bigram>(
      (a, b) => a.score > b.score || (a.score === b.score && a.left < b.left),
    );
    const tryPair = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const a = symbols[left]!;
      const b = symbols[right]!;
      const id = this.#ids.get(escaped.slice(a.start, b.start + b.length));
      if (id === undefined) return;
      queue.push({ left, right, score: this.#scores[id]!, length: a.length + b.length });
    };
    for (let i = 1; i < symbols.length; i++) tryPair(i - 1, i);
    for (let bigram = queue.pop(); bigram; bigram = queue.pop()) {
      const left = symbols[bigram.left]!;
      const right = symbols[bigram.right]!;
      // A pair whose symbols have changed since it was queued is stale.
      if (left.length === 0 || right.length === 0 || left.length + right.length !== bigram.length) continue;
      left.length += right.length;
      right.length = 0;
      left.next = right.next;
      if (right.next >= 0) symbols[right.next]!.prev = bigram.left;
      tryPair(left.prev, bigram.left);
      tryPair(bigram.left, left.next);
    }
    for (let i = 0; i !== -1; i = symbols[i]!.next) {
      const symbol = symbols[i]!;
      const piece = escaped.slice(symbol.start, symbol.start + symbol.length);
      const id = this.#ids.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const byte of new TextEncoder().encode(piece)) {
        const byteId = this.#byteIds[byte]!;
        if (byteId < 0)
          throw new Error(`tokenizer: no token for byte 0x${byte.toString(16)} and no <0x..> fallback`);
        out.push(byteId);
      }
    }
  }
}
