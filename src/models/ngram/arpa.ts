/**
 * ARPA back-off language model files, as KenLM and SRILM write them:
 *
 *   \data\
 *   ngram 1=<count>
 *   ngram 2=<count>
 *
 *   \1-grams:
 *   <log10 prob>\t<token>\t<log10 back-off>      (the back-off is optional)
 *   …
 *   \2-grams:
 *   <log10 prob>\t<token> <token>
 *   …
 *   \end\
 *
 * Lines before `\data\` are ignored by the readers of all three tools, so a character-level
 * model carries a comment line there saying so. Its tokens are single characters, and a
 * whitespace or control character, which would break the whitespace-separated fields, is
 * written `<U+XXXX>`.
 */
import { BackoffModel, type BackoffNgramSource, LOG10_ZERO } from "./backoff.js";
import { NgramTable } from "./ngram-table.js";
import type { NgramLevel } from "./tokenize.js";
import { BOS, EOS, UNK, Vocabulary } from "./vocabulary.js";

/** Options of `toArpa` and `arpaLines`. */
export interface ArpaWriteOptions {
  /** Significant digits of each printed log10 value. Default 8. */
  readonly digits?: number;
}

/** Options of `readArpa`. */
export interface ArpaReadOptions {
  /** Token level; default: "char" if the file says so in its preamble, else "word". */
  readonly level?: NgramLevel;
}

/** A malformed ARPA file: `lineNumber` (1-based) is where reading stopped. */
export class ArpaFormatError extends Error {
  readonly lineNumber: number;
  constructor(lineNumber: number, message: string) {
    super(`ARPA line ${lineNumber}: ${message}`);
    this.name = "ArpaFormatError";
    this.lineNumber = lineNumber;
  }
}

const CHAR_LEVEL_MARKER = "# infiniset n-gram model, level=char";

/** The model in ARPA form, as one string. */
export function toArpa(model: BackoffNgramSource, options: ArpaWriteOptions = {}): string {
  return `${Array.from(arpaLines(model, options)).join("\n")}\n`;
}

/** The lines of the model's ARPA form, one at a time, for writing a large model to a stream. */
export function* arpaLines(model: BackoffNgramSource, options: ArpaWriteOptions = {}): Generator<string> {
  const digits = options.digits ?? 8;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError("digits must be 1…17");
  const vocabulary = model.vocabulary.list();
  const tokenText = model.level === "char" ? escapeCharToken : (token: string) => token;
  if (model.level === "char") {
    yield `${CHAR_LEVEL_MARKER}; whitespace and control characters are written <U+XXXX>`;
  }
  yield "\\data\\";
  for (let k = 1; k <= model.order; k++) yield `ngram ${k}=${model.ngramCount(k)}`;
  for (let k = 1; k <= model.order; k++) {
    yield "";
    yield `\\${k}-grams:`;
    for (const { ids, log10Prob, log10Backoff } of model.ngrams(k)) {
      const words = Array.from(ids, (id) => tokenText(vocabulary[id]!)).join(" ");
      const prob = formatLog10(log10Prob, digits);
      yield log10Backoff === undefined
        ? `${prob}\t${words}`
        : `${prob}\t${words}\t${formatLog10(log10Backoff, digits)}`;
    }
  }
  yield "";
  yield "\\end\\";
}

function formatLog10(value: number, digits: number): string {
  if (!(value > LOG10_ZERO)) return String(LOG10_ZERO);
  return String(Number(value.toPrecision(digits)));
}

function escapeCharToken(token: string): string {
  if (token === UNK || token === BOS || token === EOS) return token;
  if (!/^[\s\p{Cc}]$/u.test(token)) return token;
  return `<U+${token.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`;
}

function unescapeCharToken(token: string): string {
  const escaped = /^<U\+([0-9A-F]{4,6})>$/.exec(token);
  return escaped ? String.fromCodePoint(Number.parseInt(escaped[1]!, 16)) : token;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseLog10(field: string): number | undefined {
  if (NUMBER.test(field)) return Number(field);
  if (/^-inf(?:inity)?$/i.test(field)) return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * Reads an ARPA file into a back-off model. Throws `ArpaFormatError`, naming the line
 * and what was expected there, on anything malformed: a missing or inconsistent header,
 * a line that is not `<log10 prob> <n tokens> [<log10 back-off>]`, a section whose size
 * differs from its `ngram N=count` line, a duplicate n-gram, a token missing from the
 * 1-grams, or a missing `\end\`.
 */
export function readArpa(text: string, options: ArpaReadOptions = {}): BackoffModel {
  const lines = text.split("\n");
  let at = 0; // index of the next line; the line number of lines[at] is at + 1
  const next = (): string | undefined => (at < lines.length ? lines[at++]!.replace(/\r$/, "") : undefined);
  const lastLineNumber = () => Math.max(1, at);

  let level = options.level;
  for (;;) {
    const line = next();
    if (line === undefined)
      throw new ArpaFormatError(lastLineNumber(), 'expected a "\\data\\" line, reached the end');
    if (line.trim() === "\\data\\") break;
    if (level === undefined && line.startsWith(CHAR_LEVEL_MARKER)) level = "char";
  }
  level ??= "word";

  const declared: number[] = [];
  let line = next();
  for (; line !== undefined && !line.trim().startsWith("\\"); line = next()) {
    if (line.trim() === "") continue;
    const header = /^\s*ngram\s+(\d+)\s*=\s*(\d+)\s*$/.exec(line);
    if (header === null) throw new ArpaFormatError(at, `expected "ngram N=count", got "${line}"`);
    const order = Number(header[1]);
    if (order !== declared.length + 1) {
      throw new ArpaFormatError(at, `expected "ngram ${declared.length + 1}=count", got "${line}"`);
    }
    declared.push(Number(header[2]));
  }
  if (declared.length === 0)
    throw new ArpaFormatError(lastLineNumber(), 'expected at least one "ngram N=count" line');

  const order = declared.length;
  const vocabulary = new Vocabulary();
  const tables: NgramTable[] = [];
  const log10Probs: Float64Array[] = [];
  const log10Backoffs: Float64Array[] = [];
  const hasBackoff: Uint8Array[] = [];
  const tokenOf = level === "char" ? unescapeCharToken : (token: string) => token;

  for (let k = 1; k <= order; k++) {
    const heading = `\\${k}-grams:`;
    while (line !== undefined && line.trim() === "") line = next();
    if (line === undefined || line.trim() !== heading) {
      throw new ArpaFormatError(lastLineNumber(), `expected "${heading}", got ${describe(line)}`);
    }
    const count = declared[k - 1]!;
    const table = new NgramTable(k, count);
    const probs = new Float64Array(count);
    const backoffs = new Float64Array(count);
    const backoffFlags = new Uint8Array(count);
    const ids = new Int32Array(k);
    const expected = `"<log10 prob> <${k} token${k > 1 ? "s" : ""}>${k < order ? " [<log10 back-off>]" : ""}"`;
    for (line = next(); line !== undefined && !line.trim().startsWith("\\"); line = next()) {
      if (line.trim() === "") continue;
      const fields = line.trim().split(/\s+/);
      const prob = parseLog10(fields[0]!);
      const hasWeight = fields.length === k + 2;
      const weight = hasWeight ? parseLog10(fields[k + 1]!) : 0;
      if (
        prob === undefined ||
        prob > 0 ||
        (fields.length !== k + 1 && !(hasWeight && k < order)) ||
        weight === undefined
      ) {
        throw new ArpaFormatError(at, `expected ${expected} in the ${heading} section, got "${line}"`);
      }
      for (let i = 0; i < k; i++) {
        const token = tokenOf(fields[i + 1]!);
        if (k > 1 && !vocabulary.has(token)) {
          throw new ArpaFormatError(at, `token "${fields[i + 1]}" is not listed in the \\1-grams: section`);
        }
        ids[i] = vocabulary.add(token);
      }
      const before = table.size;
      const entry = table.insert(ids, 0);
      if (entry < before)
        throw new ArpaFormatError(at, `duplicate ${k}-gram "${fields.slice(1, k + 1).join(" ")}"`);
      if (entry >= count) {
        throw new ArpaFormatError(at, `more ${k}-grams than the ${count} declared by "ngram ${k}=${count}"`);
      }
      probs[entry] = prob;
      backoffs[entry] = weight;
      backoffFlags[entry] = hasWeight ? 1 : 0;
    }
    if (table.size !== count) {
      throw new ArpaFormatError(
        lastLineNumber(),
        `expected ${count} ${k}-grams as declared by "ngram ${k}=${count}", found ${table.size}`,
      );
    }
    tables.push(table);
    log10Probs.push(probs);
    log10Backoffs.push(backoffs);
    hasBackoff.push(backoffFlags);
  }
  while (line !== undefined && line.trim() === "") line = next();
  if (line === undefined || line.trim() !== "\\end\\") {
    throw new ArpaFormatError(lastLineNumber(), `expected "\\end\\", got ${describe(line)}`);
  }
  return new BackoffModel({ order, level, vocabulary, tables, log10Probs, log10Backoffs, hasBackoff });
}

function describe(line: string | undefined): string {
  return line === undefined ? "the end of the file" : `"${line}"`;
}
