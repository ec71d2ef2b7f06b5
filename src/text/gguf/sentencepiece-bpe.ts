// SentencePiece BPE as Llama 1/2, TinyLlama and Mistral files use it ("llama" tokenizers):
// spaces become "▁", the text starts as single characters, and the adjacent pair whose
// joined string is the highest-scoring token merges first (the leftmost on ties), until no
// pair forms a token. A character that is no token is spelled as its UTF-8 bytes <0xXX>.
import { mergeSymbols } from "./merge-symbols.js";

const SPACE = "▁";

export class SentencePieceBpe {
  readonly #ids: ReadonlyMap<string, number>;
  readonly #scores: Float32Array;
  readonly #byteIds: Int32Array;
  readonly #encoder = new TextEncoder();

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
    const score = (left: string, right: string) => {
      const id = this.#ids.get(left + right);
      return id === undefined ? undefined : this.#scores[id]!;
    };
    for (const piece of mergeSymbols(text.replaceAll(" ", SPACE), score, false)) {
      const id = this.#ids.get(piece);
      if (id !== undefined) {
        out.push(id);
        continue;
      }
      for (const byte of this.#encoder.encode(piece)) {
        const byteId = this.#byteIds[byte]!;
        if (byteId < 0)
          throw new Error(`tokenizer: no token for byte 0x${byte.toString(16)} and no <0x..> fallback`);
        out.push(byteId);
      }
    }
  }
}
