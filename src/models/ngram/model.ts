import { seededRandom } from "./random.js";
import { forEachLine, type NgramLevel, tokenizeLine, tokenizeText } from "./tokenize.js";
import { BOS_ID, EOS_ID, UNK_ID, type Vocabulary } from "./vocabulary.js";

/** What `perplexity` measured. Sentences are lines, as in training. */
export interface PerplexityResult {
  /** exp of the mean negative log-probability per predicted token, `</s>` and OOVs included. */
  readonly perplexity: number;
  /** The same with out-of-vocabulary tokens left out (SRILM's "ppl"). */
  readonly perplexityExcludingOovs: number;
  /** Sum of the natural-log probabilities of all predicted tokens, OOVs included. */
  readonly logProb: number;
  /** Number of predicted tokens: the tokens of every sentence plus one `</s>` each. */
  readonly tokens: number;
  /** How many of those tokens were out of the vocabulary (scored as `<unk>`). */
  readonly oovs: number;
  /** Number of sentences (non-blank lines). */
  readonly sentences: number;
}

/** Options of `sample`. */
export interface SampleOptions {
  /** Seed of the pseudo-random generator: the same seed gives the same sample. Default 0. */
  readonly seed?: number;
  /** Stop after this many tokens if `</s>` has not come. Default 100. */
  readonly maxTokens?: number;
  /** Tokens (or a text, tokenized at the model's level) that start the sentence after `<s>`. */
  readonly prefix?: string | readonly string[];
  /** Probabilities are raised to 1 / temperature and renormalized. Default 1. */
  readonly temperature?: number;
  /** Whether `<unk>` may be drawn. Default false: its probability is spread over the rest. */
  readonly allowUnknown?: boolean;
}

/** A sampled continuation. */
export interface SampleResult {
  /** The generated tokens, joined by spaces (word level) or nothing (char level). */
  readonly text: string;
  /** The generated tokens, without `<s>`, the prefix or `</s>`. */
  readonly tokens: readonly string[];
  /** True when generation stopped because `</s>` was drawn. */
  readonly ended: boolean;
}

/**
 * What every n-gram model can do once it can score a token id after a history of ids:
 * score tokens given as strings, measure perplexity, and sample.
 */
export abstract class NgramLanguageModel {
  /** The largest n-gram length the model uses. */
  abstract readonly order: number;
  /** Whether tokens are words or characters. */
  abstract readonly level: NgramLevel;
  /** The token ↔ id map; `<unk>`, `<s>` and `</s>` are always in it. */
  abstract readonly vocabulary: Vocabulary;

  /**
   * P(word | history[0 .. historyEnd)) as a probability. Only the last order − 1 ids of
   * the history matter. Never called with word = `<s>`.
   */
  protected abstract probabilityOfId(history: Int32Array, historyEnd: number, word: number): number;

  /**
   * P(token | context). `context` is an array of tokens or a text tokenized at the model's
   * level; write `<s>` as its first token (array form) to condition on a sentence start.
   * A token not in the vocabulary is scored as `<unk>`; `<s>` is never predicted (0).
   */
  prob(context: string | readonly string[], token: string): number {
    const word = this.vocabulary.idOf(token);
    if (word === BOS_ID) return 0;
    const history = this.historyIds(context);
    return this.probabilityOfId(history, history.length, word);
  }

  /** ln P(token | context); see `prob`. */
  logProb(context: string | readonly string[], token: string): number {
    return Math.log(this.prob(context, token));
  }

  /** log10 P(token | context), the unit of ARPA files and KenLM; see `prob`. */
  log10Prob(context: string | readonly string[], token: string): number {
    return Math.log10(this.prob(context, token));
  }

  /**
   * The perplexity of `text` (one string, or an iterable of complete texts), scoring each
   * line as a sentence from `<s>` through `</s>`.
   */
  perplexity(text: string | Iterable<string>): PerplexityResult {
    let logProb = 0;
    let oovLogProb = 0;
    let tokens = 0;
    let oovs = 0;
    let sentences = 0;
    let ids = new Int32Array(256);
    const scoreLine = (line: string) => {
      const words = tokenizeLine(line, this.level);
      if (words.length === 0) return;
      const length = words.length + 2;
      if (length > ids.length) ids = new Int32Array(length * 2);
      ids[0] = BOS_ID;
      for (let i = 0; i < words.length; i++) ids[i + 1] = this.vocabulary.idOf(words[i]!);
      ids[length - 1] = EOS_ID;
      for (let j = 1; j < length; j++) {
        const lp = Math.log(this.probabilityOfId(ids, j, ids[j]!));
        logProb += lp;
        if (ids[j] === UNK_ID && words[j - 1] !== "<unk>") {
          oovs++;
          oovLogProb += lp;
        }
      }
      tokens += length - 1;
      sentences++;
    };
    for (const piece of typeof text === "string" ? [text] : text) forEachLine(piece, scoreLine);
    if (tokens === 0) throw new Error("perplexity is undefined for a text with no non-blank line");
    return {
      perplexity: Math.exp(-logProb / tokens),
      perplexityExcludingOovs: Math.exp(-(logProb - oovLogProb) / (tokens - oovs)),
      logProb,
      tokens,
      oovs,
      sentences,
    };
  }

  /** Draws one sentence continuation, token by token, reproducibly for a given seed. */
  sample(options: SampleOptions = {}): SampleResult {
    const { seed = 0, maxTokens = 100, prefix = [], temperature = 1, allowUnknown = false } = options;
    if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
    if (!Number.isInteger(maxTokens) || maxTokens < 0) {
      throw new RangeError(`maxTokens must be an integer ≥ 0, got ${maxTokens}`);
    }
    const random = seededRandom(seed);
    const prefixTokens = typeof prefix === "string" ? tokenizeText(prefix, this.level) : prefix;
    const prefixIds = Int32Array.from(prefixTokens, (token) => this.vocabulary.idOf(token));
    const history = new Int32Array(prefixIds.length + maxTokens + 1);
    history[0] = BOS_ID;
    history.set(prefixIds, 1);
    let historyEnd = prefixIds.length + 1;
    const weights = new Float64Array(this.vocabulary.size);
    const generated: string[] = [];
    let ended = false;
    while (generated.length < maxTokens) {
      let largest = 0;
      for (let word = 0; word < weights.length; word++) {
        const excluded = word === BOS_ID || (word === UNK_ID && !allowUnknown);
        weights[word] = excluded ? 0 : this.probabilityOfId(history, historyEnd, word);
        largest = Math.max(largest, weights[word]!);
      }
      // Relative to the largest, so that a low temperature cannot underflow every weight.
      let total = 0;
      for (let word = 0; word < weights.length; word++) {
        if (temperature !== 1) weights[word] = (weights[word]! / largest) ** (1 / temperature);
        total += weights[word]!;
      }
      let target = random() * total;
      let drawn = -1;
      for (let word = 0; word < weights.length && target >= 0; word++) {
        if (weights[word]! === 0) continue;
        // Rounding can leave target ≥ 0 after the last weight: the last possible word wins.
        drawn = word;
        target -= weights[word]!;
      }
      if (drawn < 0) throw new Error("the model gives no token a positive probability");
      if (drawn === EOS_ID) {
        ended = true;
        break;
      }
      generated.push(this.vocabulary.tokenOf(drawn));
      history[historyEnd++] = drawn;
    }
    return { text: generated.join(this.level === "word" ? " " : ""), tokens: generated, ended };
  }

  private historyIds(context: string | readonly string[]): Int32Array {
    const tokens = typeof context === "string" ? tokenizeText(context, this.level) : context;
    // Ids beyond the last order − 1 cannot change any probability.
    const kept = tokens.slice(Math.max(0, tokens.length - (this.order - 1)));
    return Int32Array.from(kept, (token) => this.vocabulary.idOf(token));
  }
}
