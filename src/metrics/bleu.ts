// BLEU as sacrebleu computes it by default (Papineni et al. 2002; Post 2018): the 13a
// tokenizer of mteval-v13a, n-grams up to 4 clipped by the most any one reference has,
// the closest reference length for the brevity penalty (the shorter on a tie), and the
// "exp" smoothing of mteval for orders without a match. Scores are in [0, 100].

const MAX_ORDER = 4;

/** mteval-v13a's tokenization: punctuation and symbols split off, except inside numbers. */
export function tokenize13a(line: string): string {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (text.includes("&")) {
    text = text
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
  }
  text = ` ${text} `
    .replace(/([{-~[-` -&(-+:-@/])/gu, " $1 ")
    .replace(/([^0-9])([.,])/gu, "$1 $2 ")
    .replace(/([.,])([^0-9])/gu, " $1 $2")
    .replace(/([0-9])(-)/gu, "$1 $2 ");
  return splitWhitespace(text).join(" ");
}

/** Python's str.split(): runs of whitespace separate, none at either end. */
export function splitWhitespace(text: string): string[] {
  return text.split(/\s+/u).filter((t) => t !== "");
}

function wordNgrams(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // A separator that cannot occur in a token keeps the order within the key.
      const key = `${n}\u0001${tokens.slice(i, i + n).join(" ")}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export interface BleuScore {
  /** 0–100. */
  score: number;
  /** Matched n-grams of each order (clipped). */
  counts: number[];
  /** Hypothesis n-grams of each order. */
  totals: number[];
  /** Precision of each order in percent (smoothed where no n-gram matched). */
  precisions: number[];
  /** Brevity penalty. */
  bp: number;
  sysLen: number;
  refLen: number;
}

/** Sufficient statistics of one segment: [hypLen, refLen, matches×4, totals×4]. */
function segmentStatistics(hypothesis: string, references: readonly string[]): number[] {
  const hyp = splitWhitespace(tokenize13a(hypothesis.trimEnd()));
  const refMax = new Map<string, number>();
  const refLens: number[] = [];
  for (const reference of references) {
    const tokens = splitWhitespace(tokenize13a(reference.trimEnd()));
    refLens.push(tokens.length);
    for (const [key, count] of wordNgrams(tokens, MAX_ORDER)) {
      if (count > (refMax.get(key) ?? 0)) refMax.set(key, count);
    }
  }
  let refLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hyp.length - len);
    const best = Math.abs(hyp.length - refLen);
    if (refLen === -1 || diff < best || (diff === best && len < refLen)) refLen = len;
  }
  const correct = new Array<number>(MAX_ORDER).fill(0);
  const total = new Array<number>(MAX_ORDER).fill(0);
  for (const [key, count] of wordNgrams(hyp, MAX_ORDER)) {
    const n = Number(key.slice(0, key.indexOf("\u0001"))) - 1;
    total[n]! += count;
    correct[n]! += Math.min(count, refMax.get(key) ?? 0);
  }
  return [hyp.length, refLen, ...correct, ...total];
}

function bleuFromStatistics(stats: readonly number[], effectiveOrder: boolean): BleuScore {
  const [sysLen, refLen] = stats as [number, number];
  const counts = stats.slice(2, 2 + MAX_ORDER);
  const totals = stats.slice(2 + MAX_ORDER);
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  const result = { counts, totals, precisions, bp, sysLen, refLen };
  if (!counts.some((c) => c > 0)) return { score: 0, ...result };
  let smooth = 1;
  let order = MAX_ORDER;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (totals[n - 1] === 0) break;
    if (effectiveOrder) order = n;
    if (counts[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * totals[n - 1]!);
    } else {
      precisions[n - 1] = (100 * counts[n - 1]!) / totals[n - 1]!;
    }
  }
  // A zero precision stands for log 0 with sacrebleu's finite stand-in, which zeroes the score.
  const logs = precisions.slice(0, order).map((p) => (p > 0 ? Math.log(p) : -9999999999));
  return { score: bp * Math.exp(logs.reduce((a, b) => a + b, 0) / order), ...result };
}

/**
 * Corpus BLEU of hypotheses against one or more reference streams: `references[r][i]` is
 * reference r of segment i (every stream as long as the hypotheses).
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
): BleuScore {
  checkStreams("corpusBleu", hypotheses, references);
  const sums = new Array<number>(2 + 2 * MAX_ORDER).fill(0);
  hypotheses.forEach((hyp, i) => {
    const stats = segmentStatistics(
      hyp,
      references.map((stream) => stream[i]!),
    );
    stats.forEach((v, j) => {
      sums[j]! += v;
    });
  });
  return bleuFromStatistics(sums, false);
}

/** BLEU of one sentence, with orders beyond the hypothesis's length left out (effective order). */
export function sentenceBleu(hypothesis: string, references: readonly string[]): BleuScore {
  if (references.length === 0) throw new Error("sentenceBleu: no reference");
  return bleuFromStatistics(segmentStatistics(hypothesis, references), true);
}

export function checkStreams(
  metric: string,
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
): void {
  if (references.length === 0) throw new Error(`${metric}: no reference stream`);
  for (const [r, stream] of references.entries()) {
    if (stream.length !== hypotheses.length) {
      throw new Error(
        `${metric}: reference stream ${r} has ${stream.length} segments for ${hypotheses.length} hypotheses`,
      );
    }
  }
}
