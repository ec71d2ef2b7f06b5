// Parallel sentences generated without end: numbers 0 … 999 999 and phrases around them,
// with whole ranges of numbers and some phrase patterns kept out of training, so a model
// is tested on compositions it has never seen (the thousands 17, 42, 67, 92, 117, … in
// any phrase; "I have N dogs"; dates in March), not on memorised sentences.
import { SeededRng } from "../../random/seeded-rng.js";
import {
  checkLanguage,
  FRAMES,
  type Frame,
  type Meaning,
  MONTH_DAYS,
  MONTHS,
  NOUNS,
  render,
} from "./languages.js";

export interface SentencePair {
  source: string;
  target: string;
}

/** The largest number generated. */
export const MAX_NUMBER = 999_999;

/** Whether a number lies in a held-out range: its thousands t (≥ 1) have t mod 25 = 17. */
export function isHeldOutNumber(n: number): boolean {
  return n >= 1000 && Math.floor(n / 1000) % 25 === 17;
}

/** Whether a phrase pattern is held out: "I have N dogs", and dates in March. */
export function isHeldOutPattern(meaning: Meaning): boolean {
  return (
    (meaning.frame === "have" && NOUNS[meaning.noun] === "dogs") ||
    (meaning.frame === "date" && MONTHS[meaning.month] === "march")
  );
}

/** Whether a sentence belongs to the held-out test distribution. */
export function isHeldOut(meaning: Meaning): boolean {
  return ("n" in meaning && isHeldOutNumber(meaning.n)) || isHeldOutPattern(meaning);
}

/** A number with 1–6 digits, the digit count uniform, so small and large numbers are equally common. */
function randomNumber(rng: SeededRng, min = 0): number {
  for (;;) {
    const digits = 1 + rng.nextInt(6);
    const low = digits === 1 ? 0 : 10 ** (digits - 1);
    const n = low + rng.nextInt(10 ** digits - low);
    if (n >= min) return n;
  }
}

function randomMeaning(rng: SeededRng, frame: Frame, number: () => number): Meaning {
  switch (frame) {
    case "number":
      return { frame, n: number() };
    case "count":
    case "have": {
      let n = number();
      while (n < 2) n = number();
      return { frame, n, noun: rng.nextInt(NOUNS.length) };
    }
    case "date": {
      const month = rng.nextInt(12);
      return { frame, month, day: 1 + rng.nextInt(MONTH_DAYS[month]!) };
    }
    case "monthYear":
      return { frame, month: rng.nextInt(12), year: 1000 + rng.nextInt(2000) };
  }
}

/** Frames drawn for training: bare numbers most often, then the phrases. */
const FRAME_WEIGHTS: Record<Frame, number> = { number: 4, count: 2, have: 2, date: 1, monthYear: 1 };

function randomFrame(rng: SeededRng): Frame {
  const total = FRAMES.reduce((sum, f) => sum + FRAME_WEIGHTS[f], 0);
  let pick = rng.nextFloat() * total;
  for (const frame of FRAMES) {
    pick -= FRAME_WEIGHTS[frame];
    if (pick < 0) return frame;
  }
  return "number";
}

/** An endless source of training pairs from `source` into `target`, none of them held out. */
export class NumberPairs {
  constructor(
    readonly source: string,
    readonly target: string,
  ) {
    checkLanguage(source);
    checkLanguage(target);
  }

  pair(meaning: Meaning): SentencePair {
    return { source: render(meaning, this.source), target: render(meaning, this.target) };
  }

  /** A training pair: never from a held-out range or pattern. */
  trainingPair(rng: SeededRng): SentencePair {
    for (;;) {
      const meaning = randomMeaning(rng, randomFrame(rng), () => randomNumber(rng));
      if (!isHeldOut(meaning)) return this.pair(meaning);
    }
  }

  /**
   * The standard held-out test set: `size` pairs (default 500) drawn with seed 0 — three
   * fifths numbers from held-out ranges (bare, counted, "I have"), one fifth "I have N
   * dogs", one fifth dates in March. The same for every run, model and machine.
   */
  heldOutPairs(size = 500): SentencePair[] {
    const rng = new SeededRng(0);
    const heldOutNumber = () => {
      for (;;) {
        const n = randomNumber(rng, 1000);
        if (isHeldOutNumber(n)) return n;
      }
    };
    const trainingNumber = () => {
      for (;;) {
        const n = randomNumber(rng);
        if (!isHeldOutNumber(n)) return n;
      }
    };
    const pairs: SentencePair[] = [];
    const seen = new Set<string>();
    while (pairs.length < size) {
      const kind = pairs.length % 5;
      let meaning: Meaning;
      if (kind < 3)
        meaning = randomMeaning(rng, (["number", "count", "have"] as const)[kind]!, heldOutNumber);
      else if (kind === 3)
        meaning = { frame: "have", n: Math.max(2, trainingNumber()), noun: NOUNS.indexOf("dogs") };
      else meaning = { frame: "date", month: MONTHS.indexOf("march"), day: 1 + rng.nextInt(31) };
      const pair = this.pair(meaning);
      // Dates in March repeat after 31; the rest of the set keeps distinct sentences.
      if (seen.has(pair.source) && meaning.frame !== "date") continue;
      seen.add(pair.source);
      pairs.push(pair);
    }
    return pairs;
  }
}
