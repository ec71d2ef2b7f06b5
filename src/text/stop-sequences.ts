// Generation stops when the text produced so far contains a stop string. A token can carry
// several characters, so the stop string may end inside the last token rather than at the
// very end; we cut at its earliest occurrence either way.

export interface StopCheck {
  /** True when a stop string occurs in the text. */
  stopped: boolean;
  /** The text up to (not including) the earliest stop string, or all of it. */
  text: string;
  /** Which stop string was found. */
  stopSequence?: string;
}

function validateStops(stops: readonly string[]): void {
  for (const stop of stops) {
    if (typeof stop !== "string" || stop.length === 0) {
      throw new Error("stop sequences must be non-empty strings");
    }
  }
}

/** Finds the earliest stop string in `text` and trims the text there. */
export function checkStopSequences(text: string, stops: readonly string[]): StopCheck {
  validateStops(stops);
  let cut = -1;
  let found: string | undefined;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      found = stop;
    }
  }
  if (found === undefined) return { stopped: false, text };
  return { stopped: true, text: text.slice(0, cut), stopSequence: found };
}

/**
 * How many characters at the end of `text` could be the start of a stop string. A stream
 * should hold those back until the next token shows whether a stop string follows.
 */
export function pendingStopPrefixLength(text: string, stops: readonly string[]): number {
  validateStops(stops);
  let longest = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(stop.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}
