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
  /** Tokens generated so far, for the repetition penalty. */
  previousTokens?: ArrayLike<number>;
}

/** The tokens that survive filtering and their renormalized probabilities, most likely first. */
export interface CandidateDistribution {
  ids: Int32Array;
  probs: Float64Array;
}

function validateOptions(options: SamplingOptions): void {
  const { temperature, topK, topP, minP, repetitionPenalty } = options;
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
}

// A copy of the logits with the repetition penalty applied. Dividing a positive logit and
// multiplying a negative one both make the token less likely, whatever its sign.
function penalizedLogits(logits: Float32Array, options: SamplingOptions): Float64Array {
  const scores = Float64Array.from(logits);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]) || scores[i] === Number.POSITIVE_INFINITY) {
      throw new Error(`sampling: logit ${i} is ${scores[i]}; logits must be finite or -Infinity`);
    }
  }
  const penalty = options.repetitionPenalty ?? 1;
  if (penalty !== 1 && options.previousTokens !== undefined) {
    const seen = new Set<number>();
    const previous = options.previousTokens;
    for (let i = 0; i < previous.length; i++) {
      const id = previous[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= scores.length) {
        throw new Error(`sampling: previous token ${id} is outside the vocabulary [0, ${scores.length})`);
      }
      if (seen.has(id)) continue;
      seen.add(id);
      scores[id] = scores[id]! > 0 ? scores[id]! / penalty : scores[id]! * penalty;
    }
  }
  return scores;
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
 * Applies all filters and returns the candidates with their probabilities. With
 * temperature 0 the only candidate is the argmax (the first one on ties).
 */
export function candidateDistribution(
  logits: Float32Array,
  options: SamplingOptions = {},
): CandidateDistribution {
  validateOptions(options);
  if (logits.length === 0) throw new Error("sampling: logits are empty");
  const scores = penalizedLogits(logits, options);
  const temperature = options.temperature ?? 1;
  if (temperature === 0) return { ids: Int32Array.of(argmax(scores)), probs: Float64Array.of(1) };

  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] !== Number.NEGATIVE_INFINITY) order.push(i);
  if (order.length === 0) throw new Error("sampling: every logit is -Infinity, so no token can be chosen");
  // Stable sort: equal logits keep id order, so results do not depend on the engine.
  order.sort((x, y) => scores[y]! - scores[x]!);
  let count = Math.min(order.length, options.topK ?? order.length);

  const maxScore = scores[order[0]!]!;
  const weights = new Float64Array(count);
  let total = 0;
  for (let r = 0; r < count; r++) {
    weights[r] = Math.exp((scores[order[r]!]! - maxScore) / temperature);
    total += weights[r]!;
  }
  if (options.topP !== undefined && options.topP < 1) {
    const needed = options.topP * total;
    let cumulative = 0;
    for (let r = 0; r < count; r++) {
      cumulative += weights[r]!;
      if (cumulative >= needed) {
        count = r + 1;
        break;
      }
    }
  }
  if (options.minP !== undefined && options.minP > 0) {
    // weights[0] is the most likely token's weight, so this compares probabilities.
    const threshold = options.minP * weights[0]!;
    let kept = 1;
    while (kept < count && weights[kept]! >= threshold) kept++;
    count = kept;
  }

  let keptTotal = 0;
  for (let r = 0; r < count; r++) keptTotal += weights[r]!;
  const ids = new Int32Array(count);
  const probs = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    ids[r] = order[r]!;
    probs[r] = weights[r]! / keptTotal;
  }
  return { ids, probs };
}

/** Draws the next token id; the same logits, options and RNG state give the same token. */
export function sampleToken(logits: Float32Array, rng: SeededRng, options: SamplingOptions = {}): number {
  const { ids, probs } = candidateDistribution(logits, options);
  if (ids.length === 1) return ids[0]!;
  const u = rng.nextFloat();
  let cumulative = 0;
  for (let r = 0; r < ids.length; r++) {
    cumulative += probs[r]!;
    if (u < cumulative) return ids[r]!;
  }
  // Rounding can leave the cumulative sum a hair below 1.
  return ids[ids.length - 1]!;
}
