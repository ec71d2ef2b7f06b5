/**
 * A word-level vocabulary for captions: three specials (padding, start, end) and the words,
 * in a fixed order, so ids mean the same in every checkpoint that lists the same words.
 */
export class CaptionVocabulary {
  static readonly PAD = 0;
  static readonly BOS = 1;
  static readonly EOS = 2;
  readonly #ids: Map<string, number>;

  constructor(readonly words: readonly string[]) {
    this.#ids = new Map(words.map((w, i) => [w, i + 3]));
    if (this.#ids.size !== words.length) throw new Error("CaptionVocabulary: the words repeat");
  }

  get size(): number {
    return this.words.length + 3;
  }

  /** [BOS, words…, EOS] padded with PAD to `length`; throws on an unknown word or a caption too long. */
  encode(caption: string, length: number): Int32Array {
    const words = caption
      .trim()
      .split(/\s+/)
      .filter((w) => w !== "");
    if (words.length + 2 > length)
      throw new Error(`caption "${caption}" has ${words.length} words; at most ${length - 2} fit`);
    const out = new Int32Array(length);
    out[0] = CaptionVocabulary.BOS;
    words.forEach((w, i) => {
      const id = this.#ids.get(w);
      if (id === undefined)
        throw new Error(`caption word "${w}" is not in the vocabulary (${this.words.join(", ")})`);
      out[i + 1] = id;
    });
    out[words.length + 1] = CaptionVocabulary.EOS;
    return out;
  }

  /** The words of ids up to the first EOS (specials dropped). */
  decode(ids: ArrayLike<number>): string {
    const words: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === CaptionVocabulary.EOS) break;
      if (id >= 3) words.push(this.words[id - 3]!);
    }
    return words.join(" ");
  }
}
