/**
 * How text becomes sentences of tokens, the same for training and for scoring.
 *
 * A sentence is one line (split on "\n", a trailing "\r" dropped). Lines that are empty or
 * only whitespace are skipped: they carry no text, and scoring them would only add `</s>`.
 * - word level: tokens are the whitespace-separated words of the line;
 * - char level: tokens are the Unicode code points of the line, spaces included. The line
 *   break itself is not a token: `</s>` plays its part.
 */
export type NgramLevel = "word" | "char";

/** The tokens of one line at `level` (empty for a blank line). */
export function tokenizeLine(line: string, level: NgramLevel): string[] {
  if (line.trim().length === 0) return [];
  if (level === "char") return Array.from(line.endsWith("\r") ? line.slice(0, -1) : line);
  return line.trim().split(/\s+/);
}

/** Calls `onLine` for every line of `text`, the last one included even without a final "\n". */
export function forEachLine(text: string, onLine: (line: string) => void): void {
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    if (end < 0) break;
    onLine(text.slice(start, end));
    start = end + 1;
  }
  if (start < text.length) onLine(text.slice(start));
}

/**
 * Reassembles lines from arbitrary chunks of one text (as a file stream delivers them),
 * holding only the unfinished last line between chunks.
 */
export class LineAssembler {
  private pending = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const lastBreak = chunk.lastIndexOf("\n");
    if (lastBreak < 0) {
      this.pending += chunk;
      return;
    }
    const complete = this.pending + chunk.slice(0, lastBreak);
    this.pending = chunk.slice(lastBreak + 1);
    forEachLine(`${complete}\n`, this.onLine);
  }

  /** Emits the last line if the text did not end with "\n". */
  end(): void {
    if (this.pending.length > 0) this.onLine(this.pending);
    this.pending = "";
  }
}

/** Splits a text into its tokens at `level`, for contexts given as one string. */
export function tokenizeText(text: string, level: NgramLevel): string[] {
  if (level === "char") return Array.from(text);
  const trimmed = text.trim();
  return trimmed.length === 0 ? [] : trimmed.split(/\s+/);
}
