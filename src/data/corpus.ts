// Where a training run's text comes from: the built-in Moby Dick, or any UTF-8 file. One
// name for both so the CLI's `--data` and a checkpoint's config can say which was used.
import { loadMobyDick } from "./moby-dick.js";
import { readTextFile } from "./text-file.js";

/** The name `--data` takes for the built-in corpus. */
export const MOBY_DICK = "moby-dick";

export interface Corpus {
  /** `moby-dick` or the path the text was read from. */
  source: string;
  text: string;
}

/** Loads `moby-dick` or the UTF-8 file at `source`; an empty or whitespace-only text is an error. */
export function loadCorpus(source: string = MOBY_DICK): Corpus {
  const text = source === MOBY_DICK ? loadMobyDick() : readTextFile(source);
  // readTextFile rejects a 0-byte file; a file of only a byte-order mark or blanks is as empty.
  if (text.trim().length === 0) throw new Error(`The corpus ${source} has no text to train on`);
  return { source, text };
}
