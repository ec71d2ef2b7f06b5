// The vocabulary of the CNN and Transformer classifiers: lowercased words and punctuation
// marks seen at least twice in the training texts, the most frequent first, after three
// reserved ids: 0 padding, 1 unknown, 2 the classification token.

const TOKEN = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
const RESERVED = ["<pad>", "<unk>", "<cls>"];
/** The classification token's id, which the Transformer classifier reads its answer from. */
export const CLS_ID = 2;

export class WordVocabulary {
  private readonly index: Map<string, number>;

  private constructor(
    readonly words: readonly string[],
    readonly prependCls: boolean,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  static fit(
    texts: readonly string[],
    { maxSize = 20_000, minCount = 2, prependCls = false } = {},
  ): WordVocabulary {
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const token of text.toLowerCase().match(TOKEN) ?? [])
        counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    const kept = [...counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, maxSize - RESERVED.length)
      .map(([w]) => w);
    return new WordVocabulary([...RESERVED, ...kept], prependCls);
  }

  encode(text: string, length: number): { ids: Int32Array; real: number } {
    const ids = new Int32Array(length);
    let at = 0;
    if (this.prependCls) ids[at++] = CLS_ID;
    for (const token of text.toLowerCase().match(TOKEN) ?? []) {
      if (at >= length) break;
      ids[at++] = this.index.get(token) ?? 1;
    }
    return { ids, real: at };
  }

  toJSON(): { words: readonly string[]; prependCls: boolean } {
    return { words: this.words, prependCls: this.prependCls };
  }

  static fromJSON(json: unknown): WordVocabulary {
    const { words, prependCls } = (json ?? {}) as { words?: unknown; prependCls?: unknown };
    if (!Array.isArray(words) || words.some((w) => typeof w !== "string")) {
      throw new Error("the classifier's vocabulary is not a list of words");
    }
    return new WordVocabulary(words as string[], prependCls === true);
  }
}
