// Turning CTC outputs into label sequences: greedy (the best class per frame, repeats
// merged, blanks dropped) and prefix beam search (Hannun et al. 2014), which sums the
// probability of every alignment of a prefix instead of following one path.

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** logProbs [frames, classes] (row-major) → labels. */
export function ctcGreedyDecode(
  logProbs: Float32Array,
  frames: number,
  classes: number,
  blank = 0,
): number[] {
  const out: number[] = [];
  let previous = blank;
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (logProbs[t * classes + c]! > logProbs[t * classes + best]!) best = c;
    if (best !== blank && best !== previous) out.push(best);
    previous = best;
  }
  return out;
}

interface Prefix {
  labels: number[];
  /** log p of the prefix with its alignments ending in a blank / in its last label. */
  blank: number;
  label: number;
}

/** Prefix beam search over logProbs [frames, classes]; returns the best label sequence and its log-probability. */
export function ctcBeamDecode(
  logProbs: Float32Array,
  frames: number,
  classes: number,
  { width = 8, blank = 0 } = {},
): { labels: number[]; logProb: number } {
  let beams = new Map<string, Prefix>([["", { labels: [], blank: 0, label: Number.NEGATIVE_INFINITY }]]);
  for (let t = 0; t < frames; t++) {
    const next = new Map<string, Prefix>();
    const entry = (labels: number[]) => {
      const key = labels.join(",");
      let p = next.get(key);
      if (!p) {
        p = { labels, blank: Number.NEGATIVE_INFINITY, label: Number.NEGATIVE_INFINITY };
        next.set(key, p);
      }
      return p;
    };
    for (const prefix of beams.values()) {
      const total = logAdd(prefix.blank, prefix.label);
      const last = prefix.labels.at(-1);
      for (let c = 0; c < classes; c++) {
        const p = logProbs[t * classes + c]!;
        if (c === blank) {
          const same = entry(prefix.labels);
          same.blank = logAdd(same.blank, total + p);
        } else if (c === last) {
          // The label repeated without a blank between merges into the same prefix…
          const same = entry(prefix.labels);
          same.label = logAdd(same.label, prefix.label + p);
          // … and after a blank it is a new occurrence.
          const extended = entry([...prefix.labels, c]);
          extended.label = logAdd(extended.label, prefix.blank + p);
        } else {
          const extended = entry([...prefix.labels, c]);
          extended.label = logAdd(extended.label, total + p);
        }
      }
    }
    beams = new Map(
      [...next.entries()]
        .sort(([, a], [, b]) => logAdd(b.blank, b.label) - logAdd(a.blank, a.label))
        .slice(0, width),
    );
  }
  const best = [...beams.values()][0]!;
  return { labels: best.labels, logProb: logAdd(best.blank, best.label) };
}
