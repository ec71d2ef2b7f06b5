import { NgramLanguageModel } from "./model.js";
import type { NgramTable } from "./ngram-table.js";
import type { NgramLevel } from "./tokenize.js";
import type { Vocabulary } from "./vocabulary.js";

/** log10 probability written for an impossible event, as KenLM and SRILM write it. */
export const LOG10_ZERO = -99;

/** One listed n-gram of a model in back-off form. */
export interface BackoffNgram {
  /** Its token ids. */
  readonly ids: Int32Array;
  /** log10 of its probability. */
  readonly log10Prob: number;
  /** log10 of its back-off weight; undefined when it is no context of a longer n-gram. */
  readonly log10Backoff: number | undefined;
}

/**
 * A model seen in back-off form, the form an ARPA file stores: every listed n-gram has a
 * log10 probability, and every listed context a log10 back-off weight (absent = 0).
 */
export interface BackoffNgramSource {
  readonly order: number;
  readonly level: NgramLevel;
  readonly vocabulary: Vocabulary;
  /** Number of n-grams of length `order` listed. */
  ngramCount(order: number): number;
  /** The listed n-grams of length `order`, one at a time, so a large model streams out. */
  ngrams(order: number): Iterable<BackoffNgram>;
}

/**
 * A back-off n-gram model (as read from an ARPA file). It scores with the standard
 * recursion: P(w | h) = p(h w) if the n-gram h w is listed, otherwise
 * bo(h) · P(w | h without its first token), where a context that is not listed has bo = 1.
 */
export class BackoffModel extends NgramLanguageModel implements BackoffNgramSource {
  readonly order: number;
  readonly level: NgramLevel;
  readonly vocabulary: Vocabulary;
  private readonly tables: readonly NgramTable[];
  private readonly log10Probs: readonly Float64Array[];
  private readonly log10Backoffs: readonly Float64Array[];
  private readonly hasBackoff: readonly Uint8Array[];
  private readonly key: Int32Array;

  /**
   * `tables[k - 1]` lists the n-grams of length k; `log10Probs[k - 1][e]`,
   * `log10Backoffs[k - 1][e]` and `hasBackoff[k - 1][e]` describe its entry e.
   */
  constructor(parts: {
    order: number;
    level: NgramLevel;
    vocabulary: Vocabulary;
    tables: readonly NgramTable[];
    log10Probs: readonly Float64Array[];
    log10Backoffs: readonly Float64Array[];
    hasBackoff: readonly Uint8Array[];
  }) {
    super();
    this.order = parts.order;
    this.level = parts.level;
    this.vocabulary = parts.vocabulary;
    this.tables = parts.tables;
    this.log10Probs = parts.log10Probs;
    this.log10Backoffs = parts.log10Backoffs;
    this.hasBackoff = parts.hasBackoff;
    this.key = new Int32Array(this.order);
  }

  protected probabilityOfId(history: Int32Array, historyEnd: number, word: number): number {
    const key = this.key;
    let log10Backoff = 0;
    for (let length = Math.min(this.order - 1, historyEnd); length >= 0; length--) {
      const start = historyEnd - length;
      for (let i = 0; i < length; i++) key[i] = history[start + i]!;
      key[length] = word;
      const entry = this.tables[length]!.find(key, 0);
      if (entry >= 0) return 10 ** (this.log10Probs[length]![entry]! + log10Backoff);
      if (length > 0) {
        const context = this.tables[length - 1]!.find(history, start);
        if (context >= 0) log10Backoff += this.log10Backoffs[length - 1]![context]!;
      }
    }
    // Only a token missing from the 1-grams gets here: <unk> in a closed-vocabulary file.
    return 0;
  }

  ngramCount(order: number): number {
    return this.tables[order - 1]?.size ?? 0;
  }

  *ngrams(order: number): Generator<BackoffNgram> {
    const table = this.tables[order - 1];
    if (table === undefined) return;
    for (let entry = 0; entry < table.size; entry++) {
      const ids = new Int32Array(order);
      for (let i = 0; i < order; i++) ids[i] = table.idAt(entry, i);
      const log10Backoff = this.hasBackoff[order - 1]![entry]
        ? this.log10Backoffs[order - 1]![entry]!
        : undefined;
      yield { ids, log10Prob: this.log10Probs[order - 1]![entry]!, log10Backoff };
    }
  }
}
