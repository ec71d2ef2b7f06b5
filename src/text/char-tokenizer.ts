// Character-level tokenizer: one token per Unicode code point seen in the corpus. Strings
// are iterated by code point, so an emoji (a surrogate pair in UTF-16) is one token.

export interface CharTokenizerOptions {
  /**
   * A token that stands for any character missing from the vocabulary. Without it,
   * encoding an unknown character throws. It gets the last id unless it is itself a single
   * character of the corpus.
   */
  unknownToken?: string;
}

export interface CharTokenizerJson {
  type: "char";
  /** Token strings by id. */
  vocab: string[];
  unknownToken?: string;
}

function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0)!;
  return `${JSON.stringify(character)} (U+${codePoint.toString(16).toUpperCase().padStart(4, "0")})`;
}

export class CharTokenizer {
  readonly vocab: readonly string[];
  readonly unknownToken: string | undefined;
  private readonly idOf = new Map<string, number>();
  private readonly unknownId: number | undefined;

  /** @param vocab token strings by id (characters, plus the unknown token if any). */
  constructor(vocab: readonly string[], options: CharTokenizerOptions = {}) {
    const { unknownToken } = options;
    vocab.forEach((token, id) => {
      if (typeof token !== "string" || token.length === 0) {
        throw new Error(`CharTokenizer: vocabulary entry ${id} must be a non-empty string`);
      }
      if (this.idOf.has(token)) throw new Error(`CharTokenizer: vocabulary repeats ${JSON.stringify(token)}`);
      this.idOf.set(token, id);
    });
    if (unknownToken !== undefined) {
      this.unknownId = this.idOf.get(unknownToken);
      if (this.unknownId === undefined) {
        throw new Error(
          `CharTokenizer: the unknown token ${JSON.stringify(unknownToken)} is not in the vocabulary`,
        );
      }
    }
    this.vocab = [...vocab];
    this.unknownToken = unknownToken;
  }

  /** Builds the vocabulary from the distinct code points of `corpus`, sorted by code point. */
  static fromCorpus(corpus: string, options: CharTokenizerOptions = {}): CharTokenizer {
    const characters = [...new Set(corpus)].sort((x, y) => x.codePointAt(0)! - y.codePointAt(0)!);
    const { unknownToken } = options;
    if (unknownToken !== undefined) {
      if (unknownToken.length === 0) throw new Error("CharTokenizer: the unknown token must not be empty");
      if (!characters.includes(unknownToken)) characters.push(unknownToken);
    }
    return new CharTokenizer(characters, options);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    for (const character of text) {
      const id = this.idOf.get(character) ?? this.unknownId;
      if (id === undefined) {
        throw new Error(
          `CharTokenizer: character ${describeCharacter(character)} is not in the vocabulary (no unknown token set)`,
        );
      }
      ids.push(id);
    }
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    let text = "";
    for (let i = 0; i < ids.length; i++) {
      const token = this.vocab[ids[i]!];
      if (token === undefined) {
        throw new Error(`CharTokenizer: token id ${ids[i]} is outside the vocabulary [0, ${this.vocabSize})`);
      }
      text += token;
    }
    return text;
  }

  toJSON(): CharTokenizerJson {
    const json: CharTokenizerJson = { type: "char", vocab: [...this.vocab] };
    if (this.unknownToken !== undefined) json.unknownToken = this.unknownToken;
    return json;
  }

  static fromJSON(json: CharTokenizerJson): CharTokenizer {
    if (json === null || typeof json !== "object" || json.type !== "char" || !Array.isArray(json.vocab)) {
      throw new Error('CharTokenizer.fromJSON: expected an object with type "char" and a vocab array');
    }
    return new CharTokenizer(json.vocab, { unknownToken: json.unknownToken });
  }
}
