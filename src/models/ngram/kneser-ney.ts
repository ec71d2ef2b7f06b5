import { type BackoffNgram, type BackoffNgramSource, LOG10_ZERO } from "./backoff.js";
import type { NgramCounts } from "./counts.js";
import {
  checkFallbackDiscounts,
  countsOfCounts,
  type Discounts,
  discountFor,
  FALLBACK_DISCOUNTS,
  modifiedKneserNeyDiscounts,
} from "./discounts.js";
import { NgramLanguageModel } from "./model.js";
import type { NgramTable } from "./ngram-table.js";
import type { NgramLevel } from "./tokenize.js";
import { BOS_ID, type Vocabulary } from "./vocabulary.js";

/** Options of the Kneser-Ney estimate. */
export interface KneserNeyOptions {
  /**
   * Discounts (for counts 1, 2, 3+) of an order whose counts-of-counts are degenerate.
   * Each must lie in [0, 1], [0, 2] and [0, 3]. Default [0.5, 1, 1.5], KenLM's.
   */
  readonly fallbackDiscounts?: readonly [number, number, number];
}

/**
 * An interpolated modified Kneser-Ney model (Chen & Goodman 1998, as KenLM estimates it):
 *
 *   p_k(w | h) = (a(h w) − D_k(a(h w))) / Σ_v a(h v)  +  γ(h) · p_{k−1}(w | h′)
 *   γ(h)       = Σ_v D_k(a(h v)) / Σ_v a(h v)
 *   p_0(w)     = 1 / |V|   (V: the vocabulary without <s>, so <unk> and </s> included)
 *
 * where a is the raw count at the highest order and for n-grams starting with <s>, the
 * continuation count elsewhere, h′ is h without its first token, and a history h never
 * seen as a context of order k leaves p_k(w | h) = p_{k−1}(w | h′).
 */
export class KneserNeyModel extends NgramLanguageModel implements BackoffNgramSource {
  readonly order: number;
  readonly level: NgramLevel;
  readonly vocabulary: Vocabulary;
  /** discounts[k - 1]: the three discounts of order k. */
  readonly discounts: readonly Discounts[];
  /** Number of training sentences (non-blank lines). */
  readonly sentences: number;
  /** Number of training tokens, without `<s>` and `</s>`. */
  readonly tokens: number;
  private readonly tables: readonly NgramTable[];
  /** discounted[k - 1][e]: the first term of p_k for entry e of order k. */
  private readonly discounted: Float64Array[] = [];
  /** contextTotal[k - 1][e]: Σ_v a(h v) for entry e of order k taken as the context h. */
  private readonly contextTotal: Float64Array[] = [];
  /** interpolationWeight[k - 1][e]: γ(h) for entry e of order k taken as the context h. */
  private readonly interpolationWeight: Float64Array[] = [];
  private readonly unigramWeight: number;
  private readonly uniform: number;
  private readonly key: Int32Array;

  constructor(counts: NgramCounts, options: KneserNeyOptions = {}) {
    super();
    const fallback = options.fallbackDiscounts ?? FALLBACK_DISCOUNTS;
    checkFallbackDiscounts(fallback);
    this.order = counts.order;
    this.level = counts.level;
    this.vocabulary = counts.vocabulary;
    this.sentences = counts.sentences;
    this.tokens = counts.tokens;
    this.tables = counts.tables;
    this.key = new Int32Array(this.order);
    this.discounts = this.tables.map((table, k) =>
      modifiedKneserNeyDiscounts(...countsOfCounts(counts.counts[k]!, table.size), fallback),
    );
    for (let k = 1; k <= this.order; k++) {
      const size = this.tables[k - 1]!.size;
      this.discounted.push(new Float64Array(size));
      if (k < this.order) {
        this.contextTotal.push(new Float64Array(size));
        this.interpolationWeight.push(new Float64Array(size));
      }
    }

    // Unigrams: one context (the empty history), interpolated with the uniform distribution.
    const unigramCounts = counts.counts[0]!;
    const unigramSize = this.tables[0]!.size;
    let unigramTotal = 0;
    let unigramDiscount = 0;
    for (let e = 0; e < unigramSize; e++) {
      unigramTotal += unigramCounts[e]!;
      unigramDiscount += discountFor(this.discounts[0]!, unigramCounts[e]!);
    }
    for (let e = 0; e < unigramSize; e++) {
      const a = unigramCounts[e]!;
      this.discounted[0]![e] = (a - discountFor(this.discounts[0]!, a)) / unigramTotal;
    }
    this.unigramWeight = unigramDiscount / unigramTotal;
    this.uniform = 1 / (this.vocabulary.size - 1);

    for (let k = 2; k <= this.order; k++) this.estimateOrder(k, counts.counts[k - 1]!);
  }

  /** Fills the discounted terms of order k and the γ of its contexts (entries of order k − 1). */
  private estimateOrder(k: number, counts: Float64Array): void {
    const table = this.tables[k - 1]!;
    const contexts = this.tables[k - 2]!;
    const total = this.contextTotal[k - 2]!;
    const weight = this.interpolationWeight[k - 2]!;
    const discounts = this.discounts[k - 1]!;
    const contextOf = new Int32Array(table.size);
    for (let e = 0; e < table.size; e++) {
      // An n-gram's first k − 1 tokens are always an entry of order k − 1 (see counts.ts).
      const context = contexts.find(table.keys, e * k);
      if (context < 0) throw new Error(`internal error: an order-${k} n-gram has no order-${k - 1} context`);
      contextOf[e] = context;
      total[context]! += counts[e]!;
      weight[context]! += discountFor(discounts, counts[e]!);
    }
    for (let c = 0; c < contexts.size; c++) if (total[c]! > 0) weight[c]! /= total[c]!;
    const discounted = this.discounted[k - 1]!;
    for (let e = 0; e < table.size; e++) {
      const a = counts[e]!;
      discounted[e] = (a - discountFor(discounts, a)) / total[contextOf[e]!]!;
    }
  }

  protected probabilityOfId(history: Int32Array, historyEnd: number, word: number): number {
    const key = this.key;
    key[0] = word;
    const unigram = this.tables[0]!.find(key, 0);
    let p = (unigram >= 0 ? this.discounted[0]![unigram]! : 0) + this.unigramWeight * this.uniform;
    for (let k = 2; k <= this.order; k++) {
      const length = k - 1;
      if (length > historyEnd) break;
      const start = historyEnd - length;
      const context = this.tables[length - 1]!.find(history, start);
      // A context never seen at this length is never seen at any longer one either.
      if (context < 0 || this.contextTotal[length - 1]![context] === 0) break;
      for (let i = 0; i < length; i++) key[i] = history[start + i]!;
      key[length] = word;
      const entry = this.tables[k - 1]!.find(key, 0);
      const seen = entry >= 0 ? this.discounted[k - 1]![entry]! : 0;
      p = seen + this.interpolationWeight[length - 1]![context]! * p;
    }
    return p;
  }

  ngramCount(order: number): number {
    return this.tables[order - 1]?.size ?? 0;
  }

  /**
   * The back-off form KenLM writes: each seen n-gram with its already interpolated
   * probability, each context with back-off weight γ. It scores exactly like this model,
   * because P(w | h) = γ(h) · P(w | h′) whenever h w was not seen.
   */
  *ngrams(order: number): Generator<BackoffNgram> {
    const table = this.tables[order - 1];
    if (table === undefined) return;
    for (let n = 0; n < table.size; n++) {
      // Unigrams go out in vocabulary order (<unk>, <s>, </s> first, as KenLM writes them).
      const e = order === 1 ? table.find(Int32Array.of(n), 0) : n;
      if (e < 0) throw new Error(`internal error: token id ${n} has no unigram entry`);
      const ids = new Int32Array(order);
      for (let i = 0; i < order; i++) ids[i] = table.idAt(e, i);
      const word = ids[order - 1]!;
      const log10Prob = word === BOS_ID ? LOG10_ZERO : Math.log10(this.probabilityOfId(ids, order - 1, word));
      const isContext = order < this.order && this.contextTotal[order - 1]![e]! > 0;
      const log10Backoff = isContext ? Math.log10(this.interpolationWeight[order - 1]![e]!) : undefined;
      yield { ids, log10Prob, log10Backoff };
    }
  }
}
