// Search over an encoder–decoder's outputs for many sources at once. Every source keeps
// `width` rows (its beams), so each step is one pass over sources × width rows with fixed
// shapes. Greedy decoding is beam search of width 1: the best token of the one beam.
import type { DecoderState } from "./seq2seq-model.js";

export interface SearchOptions {
  /** Beams per source (default 1: greedy). */
  width?: number;
  /** α in GNMT's length penalty ((5 + length) / 6)^α that scores are divided by (default 0.6; 0 = none). */
  lengthPenalty?: number;
  /** Hypotheses returned per source, best first (default 1, at most width). */
  nBest?: number;
  /** Most tokens generated before the end token (default: what the decoder's cache holds). */
  maxLength?: number;
}

export interface Hypothesis {
  /** Target ids without the end token. */
  tokens: number[];
  /** Sum of the tokens' log-probabilities, end token included. */
  logProb: number;
  /** logProb divided by the length penalty: what hypotheses are ranked by. */
  score: number;
  /** Attention over the source for each generated token (end token included): [tokens + 1][S]. */
  attention: Float32Array[];
  /** Whether the end token was produced (false if the hypothesis ran out of length). */
  finished: boolean;
}

interface Beam {
  tokens: number[];
  logProb: number;
  attention: Float32Array[];
}

function penalty(length: number, alpha: number): number {
  return alpha === 0 ? 1 : ((5 + length) / 6) ** alpha;
}

/**
 * Decodes `sources` rows of `state` (made with `width` beams per source). Returns, per
 * source, up to nBest hypotheses, best first.
 */
export function beamSearch(
  state: DecoderState,
  sources: number,
  special: { bos: number; eos: number },
  options: SearchOptions & { maxLength: number },
): Hypothesis[][] {
  const width = options.width ?? 1;
  const alpha = options.lengthPenalty ?? 0.6;
  const nBest = Math.min(options.nBest ?? 1, width);
  if (state.rows !== sources * width) {
    throw new Error(`beamSearch: the state has ${state.rows} rows, not ${sources} sources × ${width} beams`);
  }
  const finished: Hypothesis[][] = Array.from({ length: sources }, () => []);
  // Until the first step, only beam 0 of each source is alive (the others would repeat it).
  let beams: (Beam | undefined)[] = Array.from({ length: state.rows }, (_, r) =>
    r % width === 0 ? { tokens: [], logProb: 0, attention: [] } : undefined,
  );
  const done = new Array<boolean>(sources).fill(false);
  let tokens = new Int32Array(state.rows).fill(special.bos);
  for (let step = 0; step < options.maxLength && done.includes(false); step++) {
    const { logProbs, attention } = state.step(tokens);
    const vocab = logProbs.length / state.rows;
    const sourceLength = attention.length / state.rows;
    const next: (Beam | undefined)[] = new Array(state.rows).fill(undefined);
    const parents = Int32Array.from({ length: state.rows }, (_, r) => r);
    const nextTokens = new Int32Array(state.rows).fill(special.eos);
    const last = step === options.maxLength - 1;
    for (let s = 0; s < sources; s++) {
      if (done[s]) continue;
      // Each live beam proposes its best 2·width tokens, enough to fill width beams after EOS ones.
      const candidates: { row: number; token: number; logProb: number }[] = [];
      for (let k = 0; k < width; k++) {
        const row = s * width + k;
        const beam = beams[row];
        if (!beam) continue;
        for (const token of topK(logProbs, row * vocab, vocab, 2 * width)) {
          candidates.push({ row, token, logProb: beam.logProb + logProbs[row * vocab + token]! });
        }
      }
      candidates.sort((a, b) => b.logProb - a.logProb);
      let kept = 0;
      for (const { row, token, logProb } of candidates) {
        if (kept === width) break;
        const parent = beams[row]!;
        const alignment = [
          ...parent.attention,
          attention.slice(row * sourceLength, (row + 1) * sourceLength),
        ];
        if (token === special.eos || last) {
          const length = parent.tokens.length + (token === special.eos ? 1 : 2);
          finished[s]!.push({
            tokens: token === special.eos ? parent.tokens : [...parent.tokens, token],
            logProb,
            score: logProb / penalty(length, alpha),
            attention: alignment,
            finished: token === special.eos,
          });
          continue;
        }
        const slot = s * width + kept++;
        next[slot] = { tokens: [...parent.tokens, token], logProb, attention: alignment };
        parents[slot] = row;
        nextTokens[slot] = token;
      }
      for (let k = kept; k < width; k++) parents[s * width + k] = s * width;
      // Done once width hypotheses ended, and no live beam can still beat the worst of the best
      // (log-probabilities only fall; with α > 0 the penalty grows at most to its value at the maximum length).
      const ends = finished[s]!.sort((a, b) => b.score - a.score);
      const bestLive = Math.max(
        ...next.slice(s * width, (s + 1) * width).map((b) => b?.logProb ?? -Infinity),
      );
      const bound = bestLive / penalty(options.maxLength + 1, alpha);
      if (kept === 0 || (ends.length >= width && ends[width - 1]!.score >= bound)) done[s] = true;
    }
    beams = next;
    tokens = nextTokens;
    if (done.includes(false)) state.selectRows(parents);
  }
  return finished.map((ends) => ends.sort((a, b) => b.score - a.score).slice(0, nBest));
}

/** Indices of the k largest values of row values[offset … offset + n), largest first. */
function topK(values: Float32Array, offset: number, n: number, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[offset + i]!;
    if (best.length === k && v <= values[offset + best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && values[offset + best[at - 1]!]! < v) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}
