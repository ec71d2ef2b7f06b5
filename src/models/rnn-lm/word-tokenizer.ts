// Word-level tokenizer for the recurrent language models: the tokens of a line are its
// whitespace-separated words, as for the word-level n-gram models (src/models/ngram), and
// every line break is a token of its own, so generated text keeps its paragraphs. Spacing
// inside a line is not kept: decoding puts one space between the words of a line.

export interface WordTokenizerOptions {
  /** Keep at most this many tokens, the most frequent (the unknown token and "\n" included). */
  maxVocab?: number;
}

export interface WordTokenizerJson {
  type: "word";
  /** Token strings by id: the unknown token, "\n", then words, most frequent first. */
  vocab: string[];
}

/** Stands for every word outside the vocabulary. */
export const UNKNOWN_WORD = "<unk>";
/** The line break token. */
export const NEWLINE = "\n";

/** Calls `visit` with every token of `text`: its words, and "\n" for each line break. */
function forEachToken(text: string, visit: (token: string) => void): void {
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    for (const word of line.split(/\s+/)) if (word !== "") visit(word);
    if (i < lines.length - 1) visit(NEWLINE);
  });
}

export class WordTokenizer {
  readonly vocab: readonly string[];
  private readonly idOf = new Map<string, number>();

  /** @param vocab token strings by id; must start with the unknown token and "\n". */
  constructor(vocab: readonly string[]) {
    if (vocab[0] !== UNKNOWN_WORD || vocab[1] !== NEWLINE) {
      throw new Error(`WordTokenizer: the vocabulary must start with ${UNKNOWN_WORD} and "\\n"`);
    }
    vocab.forEach((token, id) => {
      if (typeof token !== "string" || token.length === 0 || (id > 1 && /\s/.test(token))) {
        throw new Error(`WordTokenizer: vocabulary entry ${id} must be a word without whitespace`);
      }
      if (this.idOf.has(token)) throw new Error(`WordTokenizer: vocabulary repeats ${JSON.stringify(token)}`);
      this.idOf.set(token, id);
    });
    this.vocab = [...vocab];
  }

  /** The vocabulary of `corpus`: words by falling frequency (ties: first seen first), at most maxVocab tokens. */
  static fromCorpus(corpus: string, options: WordTokenizerOptions = {}): WordTokenizer {
    const { maxVocab = Number.POSITIVE_INFINITY } = options;
    if (!(maxVocab >= 3)) throw new Error(`WordTokenizer: maxVocab must be at least 3, got ${maxVocab}`);
    const counts = new Map<string, number>();
    forEachToken(corpus, (token) => {
      if (token !== NEWLINE) counts.set(token, (counts.get(token) ?? 0) + 1);
    });
    // Map iteration is insertion order, and sort is stable: equal counts keep first-seen order.
    const words = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([word]) => word);
    const kept = words.filter((word) => word !== UNKNOWN_WORD).slice(0, maxVocab - 2);
    return new WordTokenizer([UNKNOWN_WORD, NEWLINE, ...kept]);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Ids of the words and line breaks of `text`; a word outside the vocabulary becomes the unknown token. */
  encode(text: string): Int32Array {
    const ids: number[] = [];
    forEachToken(text, (token) => ids.push(this.idOf.get(token) ?? 0));
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    const write = this.streamingDecoder(false);
    let text = "";
    for (let i = 0; i < ids.length; i++) text += write(ids[i]!);
    return text;
  }

  /**
   * Decodes one id at a time: a word is written with a space before it unless it starts a
   * line. `afterWord` says whether the text so far ends inside a line (a prompt).
   */
  streamingDecoder(afterWord: boolean): (id: number) => string {
    let inLine = afterWord;
    return (id) => {
      const token = this.vocab[id];
      if (token === undefined) {
        throw new Error(`WordTokenizer: token id ${id} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      if (token === NEWLINE) {
        inLine = false;
        return NEWLINE;
      }
      const text = inLine ? ` ${token}` : token;
      inLine = true;
      return text;
    };
  }

  toJSON(): WordTokenizerJson {
    return { type: "word", vocab: [...this.vocab] };
  }

  static fromJSON(json: WordTokenizerJson): WordTokenizer {
    if (json === null || typeof json !== "object" || json.type !== "word" || !Array.isArray(json.vocab)) {
      throw new Error('WordTokenizer.fromJSON: expected an object with type "word" and a vocab array');
    }
    return new WordTokenizer(json.vocab);
  }
}
