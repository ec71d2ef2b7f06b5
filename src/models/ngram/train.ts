import { NgramCounter } from "./counts.js";
import { checkFallbackDiscounts } from "./discounts.js";
import { KneserNeyModel, type KneserNeyOptions } from "./kneser-ney.js";
import type { NgramLevel } from "./tokenize.js";

/** Options of `trainNgram` and `trainNgramAsync`. */
export interface TrainNgramOptions extends KneserNeyOptions {
  /** The n-gram order: 1 for unigrams, 3 for trigrams, …; an integer ≥ 1. */
  readonly order: number;
  /** "word" (whitespace-separated tokens, the default) or "char" (Unicode code points). */
  readonly level?: NgramLevel;
  /**
   * How the items of the input relate: "texts" (default) when each is complete (a line,
   * a paragraph, a file) so no sentence spans two items; "chunks" when they are pieces of
   * one text cut anywhere, as `fs.createReadStream(path, "utf8")` yields them.
   */
  readonly input?: "texts" | "chunks";
}

/**
 * Trains an interpolated modified Kneser-Ney model. Each line of the input is a sentence;
 * blank lines are skipped. Throws on an empty corpus or an order that is not an integer ≥ 1.
 */
export function trainNgram(options: TrainNgramOptions, texts: string | Iterable<string>): KneserNeyModel {
  const counter = startCounting(options);
  for (const text of typeof texts === "string" ? [texts] : texts) addItem(counter, options, text);
  return new KneserNeyModel(counter.finish(), options);
}

/** `trainNgram` for an async source such as a file stream, counted as it arrives. */
export async function trainNgramAsync(
  options: TrainNgramOptions,
  texts: AsyncIterable<string> | Iterable<string>,
): Promise<KneserNeyModel> {
  const counter = startCounting(options);
  for await (const text of texts) addItem(counter, options, text);
  return new KneserNeyModel(counter.finish(), options);
}

function startCounting(options: TrainNgramOptions): NgramCounter {
  // Checked before counting so that a bad option fails at once, not after a long corpus.
  if (options.fallbackDiscounts !== undefined) checkFallbackDiscounts(options.fallbackDiscounts);
  return new NgramCounter(options.order, options.level ?? "word");
}

function addItem(counter: NgramCounter, options: TrainNgramOptions, text: unknown): void {
  if (typeof text !== "string") throw new TypeError(`training input must be strings, got ${typeof text}`);
  if (options.input === "chunks") counter.addChunk(text);
  else counter.addText(text);
}
