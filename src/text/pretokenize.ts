// Byte-level BPE never merges across the pieces this split produces, so a word, the space
// before it, a number and a run of punctuation each get their own tokens (as in GPT-2).

/**
 * GPT-2's split: English contractions, an optional space followed by letters, by digits or
 * by other symbols, and runs of whitespace (leaving the last space to prefix the next word).
 */
export const GPT2_SPLIT_PATTERN = String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** Compiles a split pattern with the flags pre-tokenization needs (global, Unicode). */
export function compileSplitPattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "gu");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Invalid pre-tokenization pattern ${JSON.stringify(pattern)}: ${reason}`);
  }
}

/**
 * Splits text into pieces whose concatenation is exactly the text. Any stretch the pattern
 * does not match becomes a piece of its own, so no input is ever lost.
 */
export function splitIntoPieces(text: string, splitPattern: RegExp): string[] {
  const pieces: string[] = [];
  let covered = 0;
  for (const match of text.matchAll(splitPattern)) {
    if (match[0].length === 0) continue;
    if (match.index > covered) pieces.push(text.slice(covered, match.index));
    pieces.push(match[0]);
    covered = match.index + match[0].length;
  }
  if (covered < text.length) pieces.push(text.slice(covered));
  return pieces;
}
