// Text augmentation for training classifiers on few examples (EDA, Wei & Zou 2019, less
// its synonym step, plus character noise): new texts that keep the label but vary the
// surface. Every function is seeded, so an augmented training set is reproducible.
import { SeededRng } from "../random/seeded-rng.js";

export const AUGMENTATIONS = ["deletion", "swap", "insertion", "noise"] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];

export interface AugmentOptions {
  /** Share of words (deletion, swap, insertion) or characters (noise) changed; default 0.1. */
  rate?: number;
  seed?: number;
}

const words = (text: string) => text.split(/\s+/u).filter((w) => w !== "");

/** Drops each word with probability `rate` (keeping at least one). */
export function randomDeletion(text: string, rng: SeededRng, rate = 0.1): string {
  const all = words(text);
  const kept = all.filter(() => rng.nextFloat() >= rate);
  return (kept.length > 0 ? kept : all.slice(0, 1)).join(" ");
}

/** Swaps two random words, round(rate · n) times (at least once). */
export function randomSwap(text: string, rng: SeededRng, rate = 0.1): string {
  const all = words(text);
  if (all.length < 2) return all.join(" ");
  for (let t = Math.max(1, Math.round(rate * all.length)); t > 0; t--) {
    const i = rng.nextInt(all.length);
    const j = rng.nextInt(all.length);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.join(" ");
}

/** Inserts copies of words of the text itself at random places, round(rate · n) times (at least once). */
export function randomInsertion(text: string, rng: SeededRng, rate = 0.1): string {
  const all = words(text);
  if (all.length === 0) return "";
  for (let t = Math.max(1, Math.round(rate * all.length)); t > 0; t--) {
    all.splice(rng.nextInt(all.length + 1), 0, all[rng.nextInt(all.length)]!);
  }
  return all.join(" ");
}

const NOISE_LETTERS = "abcdefghijklmnopqrstuvwxyz";

/** Typos: each letter, with probability `rate`, is dropped, doubled or replaced by a random letter. */
export function characterNoise(text: string, rng: SeededRng, rate = 0.05): string {
  let out = "";
  for (const ch of text) {
    if (!/\p{L}/u.test(ch) || rng.nextFloat() >= rate) {
      out += ch;
      continue;
    }
    const kind = rng.nextInt(3);
    if (kind === 1) out += ch + ch;
    else if (kind === 2) out += NOISE_LETTERS[rng.nextInt(NOISE_LETTERS.length)]!;
  }
  return out;
}

/** One augmented copy of a text by the named method. */
export function augmentText(text: string, method: Augmentation, rng: SeededRng, rate?: number): string {
  switch (method) {
    case "deletion":
      return randomDeletion(text, rng, rate);
    case "swap":
      return randomSwap(text, rng, rate);
    case "insertion":
      return randomInsertion(text, rng, rate);
    case "noise":
      return characterNoise(text, rng, rate === undefined ? undefined : rate / 2);
  }
}

/** The texts and labels followed by one augmented copy of each per method. */
export function augmentDataset(
  texts: readonly string[],
  labels: readonly number[],
  methods: readonly Augmentation[],
  { rate, seed = 0 }: AugmentOptions = {},
): { texts: string[]; labels: number[] } {
  const rng = new SeededRng(seed);
  const outTexts = [...texts];
  const outLabels = [...labels];
  for (const method of methods) {
    texts.forEach((text, i) => {
      outTexts.push(augmentText(text, method, rng, rate));
      outLabels.push(labels[i]!);
    });
  }
  return { texts: outTexts, labels: outLabels };
}
