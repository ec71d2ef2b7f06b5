// The sparse features of the TF-IDF classifiers: word n-grams and character n-grams
// (inside word boundaries), each block L2-normalised, side by side — scikit-learn's
// FeatureUnion of two TfidfVectorizers.
import { concatColumns, type SparseRows, type TfidfJson, TfidfVectorizer } from "../text/tfidf.js";

export interface TextFeatureOptions {
  /** Word n-gram range, or null for none. */
  word: [number, number] | null;
  /** Character n-gram range (char_wb), or null for none. */
  char: [number, number] | null;
  /** Keep terms found in at least this many training texts. */
  minDf: number;
  /** tf = 1 + ln(count). */
  sublinearTf: boolean;
}

export const DEFAULT_FEATURES: TextFeatureOptions = {
  word: [1, 2],
  char: [2, 5],
  minDf: 2,
  sublinearTf: true,
};

export class TextFeatures {
  private constructor(
    readonly options: TextFeatureOptions,
    private readonly vectorizers: TfidfVectorizer[],
  ) {}

  static create(options: TextFeatureOptions): TextFeatures {
    const vectorizers: TfidfVectorizer[] = [];
    const common = { minDf: options.minDf, sublinearTf: options.sublinearTf };
    if (options.word)
      vectorizers.push(new TfidfVectorizer({ analyzer: "word", ngramRange: options.word, ...common }));
    if (options.char)
      vectorizers.push(new TfidfVectorizer({ analyzer: "char_wb", ngramRange: options.char, ...common }));
    if (vectorizers.length === 0) throw new Error("features: give word n-grams, character n-grams or both");
    return new TextFeatures(options, vectorizers);
  }

  get size(): number {
    return this.vectorizers.reduce((a, v) => a + v.size, 0);
  }

  fitTransform(texts: readonly string[]): SparseRows {
    return this.vectorizers.map((v) => v.fitTransform(texts)).reduce(concatColumns);
  }

  transform(texts: readonly string[]): SparseRows {
    return this.vectorizers.map((v) => v.transform(texts)).reduce(concatColumns);
  }

  toJSON(): { options: TextFeatureOptions; vectorizers: TfidfJson[] } {
    return { options: this.options, vectorizers: this.vectorizers.map((v) => v.toJSON()) };
  }

  static fromJSON(json: { options: TextFeatureOptions; vectorizers: TfidfJson[] }): TextFeatures {
    return new TextFeatures(
      json.options,
      json.vectorizers.map((v) => TfidfVectorizer.fromJSON(v)),
    );
  }
}

/** Parses "word", "char", "word,char" (the default ranges) or "word:1-3,char:3-5". */
export function parseFeatureSpec(
  spec: string,
  base: TextFeatureOptions = DEFAULT_FEATURES,
): TextFeatureOptions {
  const out: TextFeatureOptions = { ...base, word: null, char: null };
  for (const part of spec.split(",").map((p) => p.trim())) {
    const match = /^(word|char)(?::(\d+)-(\d+))?$/.exec(part);
    if (!match) throw new Error(`--features: "${part}" is not word, char, word:MIN-MAX or char:MIN-MAX`);
    const kind = match[1] as "word" | "char";
    const range: [number, number] =
      match[2] === undefined
        ? (DEFAULT_FEATURES[kind] as [number, number])
        : [Number(match[2]), Number(match[3])];
    if (!(range[0] >= 1 && range[1] >= range[0]))
      throw new Error(`--features: bad n-gram range in "${part}"`);
    out[kind] = range;
  }
  return out;
}
