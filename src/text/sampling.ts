// Choosing the next token from a model's logits. The filters run in the order Hugging Face
// applies them: repetition penalty, temperature, then top-k, top-p and min-p on what is left,
// so the same options give the same candidate set as there.
import type { SeededRng } from "../random/seeded-rng.js";

export interface SamplingOptions {
  /** 0 picks the most likely token (greedy); higher flattens the distribution. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability adds up to at least p. */
  topP?: number;
  /** Keep tokens whose probability is at least minP times that of the most likely one. */
  minP?: number;
  /** > 1 discourages tokens in `previousTokens` (CTRL-style). Default 1 (off). */
  repetitionPenalty?: number;
  /** Subtracted once from the logit of every token in `previousTokens` (OpenAI's presence penalty). */
  presencePenalty?: number;
  /** Subtracted from a token's logit once per time it occurs in `previousTokens` (OpenAI's frequency penalty). */
  frequencyPenalty?: number;
  /** Tokens generated so far, for the penalties. */
  previousTokens?: ArrayLike<number>;
  /** Added to the logits of these token ids before anything else (OpenAI's logit_bias). */
  logitBias?: ReadonlyMap<number, number>;
}

/** The tokens that survive filtering and their renormalized probabilities, most likely first. */
export interface CandidateDistribution {
  ids: Int32Array;
  probs: Float64Array;
}

function validateOptions(options: SamplingOptions): void {
  const { temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty } = options;
  if (temperature !== undefined && !(temperature >= 0 && Number.isFinite(temperature))) {
    throw new Error(`sampling: temperature must be a finite number >= 0, got ${temperature}`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`sampling: topK must be an integer >= 1, got ${topK}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new Error(`sampling: topP must be in (0, 1], got ${topP}`);
  }
  if (minP !== undefined && !(minP >= 0 && minP <= 1)) {
    throw new Error(`sampling: minP must be in [0, 1], got ${minP}`);
  }
  if (repetitionPenalty !== undefined && !(repetitionPenalty > 0 && Number.isFinite(repetitionPenalty))) {
    throw new Error(`sampling: repetitionPenalty must be a finite number > 0, got ${repetitionPenalty}`);
  }
  for (const [name, value] of [
    ["presencePenalty", presencePenalty],
    ["frequencyPenalty", frequencyPenalty],
  ] as const) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new Error(`sampling: ${name} must be a finite number, got ${value}`);
    }
  }
}

// A copy of the logits with the bias and penalties applied. Dividing a positive logit and
// multiplying a negative one both make the token less likely, whatever its sign.
function penalizedLogits(logits: Float32Array, options: SamplingOptions): Float64Array {
  const scores = Float64Array.from(logits);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]) || scores[i] === Number.POSITIVE_INFINITY) {
      throw new Error(`sampling: logit ${i} is ${scores[i]}; logits must be finite or -Infinity`);
    }
  }
  for (const [id, bias] of options.logitBias ?? []) {
    if (!Number.isInteger(id) || id < 0 || id >= scores.length) {
      throw new Error(`sampling: logit bias for token ${id}, outside the vocabulary [0, ${scores.length})`);
    }
    scores[id] = scores[id]! + bias;
  }
  const penalty = options.repetitionPenalty ?? 1;
  const presence = options.presencePenalty ?? 0;
  const frequency = options.frequencyPenalty ?? 0;
  if ((penalty !== 1 || presence !== 0 || frequency !== 0) && options.previousTokens !== undefined) {
    const counts = new Map<number, number>();
    const previous = options.previousTokens;
    for (let i = 0; i < previous.length; i++) {
      const id = previous[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= scores.length) {
        throw new Error(`sampling: previous token ${id} is outside the vocabulary [0, ${scores.length})`);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, count] of counts) {
      let score = scores[id]!;
      if (penalty !== 1) score = score > 0 ? score / penalty : score * penalty;
      scores[id] = score - presence - frequency * count;
    }
  }
  return scores;
}

/** Whether the options change any logit (bias or penalties on previous tokens). */
function penalized(options: SamplingOptions): boolean {
  const changed =
    (options.repetitionPenalty ?? 1) !== 1 ||
    (options.presencePenalty ?? 0) !== 0 ||
    (options.frequencyPenalty ?? 0) !== 0;
  return (options.logitBias?.size ?? 0) > 0 || (changed && options.previousTokens !== undefined);
}

/** The argmax of logits nothing changes, checked as penalizedLogits checks them, in one pass and no copy. */
function greedy(logits: Float32Array): number {
  let best = -1;
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v) || v === Number.POSITIVE_INFINITY) {
      throw new Error(`sampling: logit ${i} is ${v}; logits must be finite or -Infinity`);
    }
    if (v > peak) {
      peak = v;
      best = i;
    }
  }
  if (best < 0) throw new Error("sampling: every logit is -Infinity, so no token can be chosen");
  return best;
}

function argmax(scores: Float64Array): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] !== Number.NEGATIVE_INFINITY && (best < 0 || scores[i]! > scores[best]!)) best = i;
  }
  if (best < 0) throw new Error("sampling: every logit is -Infinity, so no token can be chosen");
  return best;
}

/**
 * Token ids by decreasing score (lower id first on ties), one at a time: a heap built in
 * linear time, so taking the few most likely of a large vocabulary does not sort it all.
 */
class DescendingScores {
  readonly #scores: Float64Array;
  readonly #heap: Int32Array;
  #size: number;

  constructor(scores: Float64Array) {
    this.#scores = scores;
    this.#heap = new Int32Array(scores.length);
    let n = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i] !== Number.NEGATIVE_INFINITY) this.#heap[n++] = i;
    this.#size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  get size(): number {
    return this.#size;
  }

  /** The next id, or -1 when none is left. */
  next(): number {
    if (this.#size === 0) return -1;
    const top = this.#heap[0]!;
    this.#heap[0] = this.#heap[--this.#size]!;
    this.#siftDown(0);
    return top;
  }

  #before(a: number, b: number): boolean {
    const sa = this.#scores[a]!;
    const sb = this.#scores[b]!;
    return sa > sb || (sa === sb && a < b);
  }

  #siftDown(i: number): void {
    const heap = this.#heap;
    const n = this.#size;
    const item = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.#before(heap[right]!, heap[left]!) ? right : left;
      if (!this.#before(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}

/**
 * Applies all filters and returns the candidates with their probabilities. With
 * temperature 0 the only candidate is the argmax (the first one on ties).
 */
export function candidateDistribution(
  logits: Float32Array,
  options: SamplingOptions = {},
): CandidateDistribution {
  validateOptions(options);
  if (logits.length === 0) throw new Error("sampling: logits are empty");
  const temperature = options.temperature ?? 1;
  if (temperature === 0 && !penalized(options))
    return { ids: Int32Array.of(greedy(logits)), probs: Float64Array.of(1) };
  const scores = penalizedLogits(logits, options);
  if (temperature === 0) return { ids: Int32Array.of(argmax(scores)), probs: Float64Array.of(1) };

  const order = new DescendingScores(scores);
  if (order.size === 0) throw new Error("sampling: every logit is -Infinity, so no token can be chosen");
  const limit = Math.min(order.size, options.topK ?? order.size);
  const ids: number[] = [];
  const weights: number[] = [];
  let maxScore = 0;
  const take = (): number => {
    const id = order.next();
    if (ids.length === 0) maxScore = scores[id]!;
    ids.push(id);
    weights.push(Math.exp((scores[id]! - maxScore) / temperature));
    return weights[weights.length - 1]!;
  };
  // Top-p compares against the mass of every candidate top-k leaves: with top-k, those
  // are taken first; without, it is the whole vocabulary's mass.
  let total = 0;
  if (options.topK !== undefined) {
    while (ids.length < limit) total += take();
  } else {
    take();
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] !== Number.NEGATIVE_INFINITY) total += Math.exp((scores[i]! - maxScore) / temperature);
    }
  }
  let count = ids.length;
  const topP = options.topP ?? 1;
  const minP = options.minP ?? 0;
  const needed = topP * total;
  let cumulative = 0;
  for (let r = 0; r < limit; r++) {
    if (r === ids.length) take();
    if (minP > 0 && weights[r]! < minP * weights[0]!) {
      // weights[0] is the most likely token's weight, so this compares probabilities.
      count = r;
      break;
    }
    count = r + 1;
    cumulative += weights[r]!;
    if (topP < 1 && cumulative >= needed) break;
  }

  let keptTotal = 0;
  for (let r = 0; r < count; r++) keptTotal += weights[r]!;
  const probs = new Float64Array(count);
  for (let r = 0; r < count; r++) probs[r] = weights[r]! / keptTotal;
  return { ids: Int32Array.from(ids.slice(0, count)), probs };
}

/**
 * Draws the next token id; the same logits, options and RNG state give the same token.
 * Without top-k, top-p or min-p every token is a candidate, and the draw walks the
 * vocabulary in id order instead of sorting it.
 */
export function sampleToken(logits: Float32Array, rng: SeededRng, options: SamplingOptions = {}): number {
  const filtered =
    options.topK !== undefined ||
    (options.topP ?? 1) < 1 ||
    (options.minP ?? 0) > 0 ||
    options.temperature === 0;
  if (filtered) {
    const { ids, probs } = candidateDistribution(logits, options);
    if (ids.length === 1) return ids[0]!;
    return ids[draw(probs, rng.nextFloat())]!;
  }
  validateOptions(options);
  if (logits.length === 0) throw new Error("sampling: logits are empty");
  const scores = penalizedLogits(logits, options);
  const temperature = options.temperature ?? 1;
  const best = argmax(scores);
  const weights = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) weights[i] = Math.exp((scores[i]! - scores[best]!) / temperature);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! / total;
  const at = draw(weights, rng.nextFloat());
  // A token of probability 0 is never drawn, even where rounding leaves the sum short of 1.
  return weights[at]! > 0 ? at : best;
}

/** The index where the running sum of `probs` first exceeds u (the last one if rounding leaves it short). */
function draw(probs: Float64Array, u: number): number {
  let cumulative = 0;
  for (let r = 0; r < probs.length; r++) {
    cumulative += probs[r]!;
    if (u < cumulative) return r;
  }
  return probs.length - 1;
}

/** How a language model generates: how many tokens, how each is sampled, with which generator. */
export interface GenerateOptions {
  /** How many tokens to produce at most. */
  maxTokens: number;
  /**
   * Temperature, top-k, top-p, min-p and repetition penalty (see `sampleToken`). The
   * repetition penalty looks at the prompt and everything generated unless
   * `previousTokens` is given.
   */
  sampler?: SamplingOptions;
  /** The sampling generator; its state advances, so a caller can save and continue it. */
  rng?: SeededRng;
  /** Seeds a new sampling generator when no `rng` is given (default 0). */
  seed?: number;
  /**
   * Called with each token as soon as it is chosen; returning `false` stops generation.
   * With `alternatives`, also with what the model thought of it (see `tokenChoice`).
   */
  onToken?: (id: number, choice?: TokenChoice) => unknown;
  /** With `onToken`: how many of the most likely tokens to report beside each chosen one. */
  alternatives?: number;
}

/** A sampled token with the model's probability for it and for the most likely tokens. */
export interface TokenChoice {
  readonly id: number;
  /** The model's probability for the token (softmax of its logits, before any sampling filter). */
  readonly probability: number;
  /** The most likely tokens, most likely first, the chosen one included if it is among them. */
  readonly alternatives: readonly { readonly id: number; readonly probability: number }[];
}

/** The model's probabilities (softmax of `logits`) for `id` and the `k` most likely tokens. */
export function tokenChoice(logits: Float32Array, id: number, k: number): TokenChoice {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i]! - max);
  const probability = (i: number) => Math.exp(logits[i]! - max) / total;
  const order = new DescendingScores(Float64Array.from(logits));
  const alternatives: { id: number; probability: number }[] = [];
  for (let next = order.next(); next >= 0 && alternatives.length < k; next = order.next())
    alternatives.push({ id: next, probability: probability(next) });
  return { id, probability: probability(id), alternatives };
}

/** Calls `options.onToken` for a token sampled from `logits`, with its choice when asked for. */
export function reportToken(options: GenerateOptions, logits: Float32Array, id: number): unknown {
  if (!options.onToken) return undefined;
  return options.alternatives
    ? options.onToken(id, tokenChoice(logits, id, options.alternatives))
    : options.onToken(id);
}
