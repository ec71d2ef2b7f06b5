// chrF (Popović 2015) and chrF++ (Popović 2017) as sacrebleu computes them by default:
// character n-grams of orders 1–6 with whitespace removed, plus word n-grams of orders
// 1–wordOrder for chrF++ (punctuation split off the ends of words), precision and recall
// averaged over the orders that occur (effective order), combined as F-beta with beta 2.
// With several references, each segment counts with its best-scoring reference.
import { checkStreams, splitWhitespace } from "./bleu.js";

const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

export interface ChrfOptions {
  /** Character n-gram order (default 6). */
  charOrder?: number;
  /** Word n-gram order: 0 for chrF (default), 2 for chrF++. */
  wordOrder?: number;
  /** Weight of recall against precision (default 2). */
  beta?: number;
}

function countNgrams(items: readonly string[], n: number, join: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= items.length; i++) {
    const key = items.slice(i, i + n).join(join);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Words with one punctuation mark split off the end (or else the start) of each. */
function wordsWithoutPunctuation(sentence: string): string[] {
  const out: string[] = [];
  for (const word of splitWhitespace(sentence)) {
    const chars = [...word];
    if (chars.length === 1) out.push(word);
    else if (PUNCTUATION.has(chars.at(-1)!)) out.push(chars.slice(0, -1).join(""), chars.at(-1)!);
    else if (PUNCTUATION.has(chars[0]!)) out.push(chars[0]!, chars.slice(1).join(""));
    else out.push(word);
  }
  return out;
}

function allNgrams(sentence: string, charOrder: number, wordOrder: number): Map<string, number>[] {
  const chars = [...splitWhitespace(sentence).join("")];
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= charOrder; n++) out.push(countNgrams(chars, n, ""));
  if (wordOrder > 0) {
    const words = wordsWithoutPunctuation(sentence);
    for (let n = 1; n <= wordOrder; n++) out.push(countNgrams(words, n, " "));
  }
  return out;
}

/** [hyp n-grams, ref n-grams, matches] for every order, flattened. */
function matchStatistics(hyp: readonly Map<string, number>[], ref: readonly Map<string, number>[]): number[] {
  const stats: number[] = [];
  hyp.forEach((h, order) => {
    const r = ref[order]!;
    let hypCount = 0;
    let matches = 0;
    for (const [key, count] of h) {
      hypCount += count;
      matches += Math.min(count, r.get(key) ?? 0);
    }
    let refCount = 0;
    for (const count of r.values()) refCount += count;
    stats.push(r.size > 0 ? hypCount : 0, refCount, matches);
  });
  return stats;
}

function fScore(stats: readonly number[], beta: number): number {
  const factor = beta * beta;
  let precision = 0;
  let recall = 0;
  let orders = 0;
  for (let i = 0; i < stats.length; i += 3) {
    const [hyp, ref, match] = [stats[i]!, stats[i + 1]!, stats[i + 2]!];
    if (hyp > 0 && ref > 0) {
      precision += match / hyp;
      recall += match / ref;
      orders++;
    }
  }
  if (orders === 0) return 0;
  precision /= orders;
  recall /= orders;
  if (precision + recall === 0) return 0;
  return (100 * (1 + factor) * precision * recall) / (factor * precision + recall);
}

function segmentStatistics(
  hypothesis: string,
  references: readonly string[],
  options: Required<ChrfOptions>,
) {
  const hyp = allNgrams(hypothesis, options.charOrder, options.wordOrder);
  let best: number[] = [];
  let bestScore = -1;
  for (const reference of references) {
    const stats = matchStatistics(hyp, allNgrams(reference, options.charOrder, options.wordOrder));
    const score = fScore(stats, options.beta);
    if (score > bestScore) {
      bestScore = score;
      best = stats;
    }
  }
  return best;
}

function withDefaults(options: ChrfOptions): Required<ChrfOptions> {
  return { charOrder: options.charOrder ?? 6, wordOrder: options.wordOrder ?? 0, beta: options.beta ?? 2 };
}

/** Corpus chrF (0–100); `references[r][i]` is reference r of segment i. */
export function corpusChrf(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: ChrfOptions = {},
): number {
  checkStreams("corpusChrf", hypotheses, references);
  const full = withDefaults(options);
  const sums = new Array<number>(3 * (full.charOrder + full.wordOrder)).fill(0);
  hypotheses.forEach((hyp, i) => {
    segmentStatistics(
      hyp,
      references.map((stream) => stream[i]!),
      full,
    ).forEach((v, j) => {
      sums[j]! += v;
    });
  });
  return fScore(sums, full.beta);
}

/** chrF of one sentence against its references (0–100). */
export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): number {
  if (references.length === 0) throw new Error("sentenceChrf: no reference");
  const full = withDefaults(options);
  return fScore(segmentStatistics(hypothesis, references, full), full.beta);
}
