import { growFloat64, growInt32, NgramTable } from "./ngram-table.js";
import { forEachLine, LineAssembler, type NgramLevel, tokenizeLine } from "./tokenize.js";
import { BOS, BOS_ID, EOS, EOS_ID, UNK_ID, Vocabulary } from "./vocabulary.js";

/**
 * The counts Kneser-Ney smoothing needs, one table per order (tables[k - 1] holds order k):
 * - the highest order and every n-gram that starts with `<s>` hold raw counts (an n-gram
 *   at the start of a sentence cannot be extended to the left, so it keeps its raw count);
 * - every other lower-order n-gram holds its continuation ("adjusted") count: the number
 *   of distinct tokens seen immediately before it.
 */
export interface NgramCounts {
  readonly order: number;
  readonly level: NgramLevel;
  readonly vocabulary: Vocabulary;
  readonly tables: readonly NgramTable[];
  /** counts[k - 1][e]: the (adjusted) count of entry e of the order-k table. */
  readonly counts: readonly Float64Array[];
  /** Number of sentences counted. */
  readonly sentences: number;
  /** Number of tokens counted, without `<s>` and `</s>`. */
  readonly tokens: number;
}

/** Throws unless `order` is an integer ≥ 1. */
export function checkOrder(order: unknown): number {
  if (typeof order !== "number" || !Number.isInteger(order) || order < 1) {
    throw new RangeError(`n-gram order must be an integer ≥ 1, got ${String(order)}`);
  }
  return order;
}

/**
 * Streams text into n-gram counts. Only the counts stay in memory (and, for streamed
 * chunks, the unfinished last line), so a corpus larger than memory can be counted.
 */
export class NgramCounter {
  readonly order: number;
  readonly level: NgramLevel;
  private readonly vocabulary = new Vocabulary();
  private readonly tables: NgramTable[] = [];
  private readonly counts: Float64Array[] = [];
  private sentence = new Int32Array(256);
  private sentences = 0;
  private tokens = 0;
  private lineNumber = 0;
  private readonly assembler = new LineAssembler((line) => this.addLine(line));
  private finished = false;

  constructor(order: number, level: NgramLevel) {
    this.order = checkOrder(order);
    if (level !== "word" && level !== "char") throw new RangeError(`level must be "word" or "char"`);
    this.level = level;
    for (let k = 1; k <= order; k++) {
      this.tables.push(new NgramTable(k));
      this.counts.push(new Float64Array(1024));
    }
  }

  /** Counts one complete text (a line, a paragraph, a document): its last line ends with it. */
  addText(text: string): void {
    this.checkOpen();
    this.assembler.end();
    forEachLine(text, (line) => this.addLine(line));
  }

  /** Counts a piece of a longer text whose lines may continue into the next chunk. */
  addChunk(chunk: string): void {
    this.checkOpen();
    this.assembler.push(chunk);
  }

  /** Finishes counting: derives the continuation counts of the lower orders. */
  finish(): NgramCounts {
    this.checkOpen();
    this.assembler.end();
    this.finished = true;
    if (this.sentences === 0) {
      throw new Error("cannot train an n-gram model on an empty corpus: no line with a token was found");
    }
    // Each entry of order k + 1 is one distinct left extension of its order-k suffix. The
    // suffix never starts with <s> (nothing precedes <s>), so the raw counts of
    // <s>-initial entries are never added to here.
    for (let k = this.order - 1; k >= 1; k--) {
      const longer = this.tables[k]!;
      for (let entry = 0; entry < longer.size; entry++) this.bump(k, longer.keys, entry * (k + 1) + 1, 1);
    }
    // The special symbols are unigram entries even when unseen: <s> is the first context
    // of every sentence, and <unk> and </s> are in the predicted vocabulary.
    const unigram = new Int32Array(1);
    for (const id of [UNK_ID, BOS_ID, EOS_ID]) {
      unigram[0] = id;
      this.bump(1, unigram, 0, 0);
    }
    return {
      order: this.order,
      level: this.level,
      vocabulary: this.vocabulary,
      tables: this.tables,
      counts: this.counts,
      sentences: this.sentences,
      tokens: this.tokens,
    };
  }

  private checkOpen(): void {
    if (this.finished) throw new Error("this NgramCounter has already finished");
  }

  private addLine(line: string): void {
    this.lineNumber++;
    const tokens = tokenizeLine(line, this.level);
    if (tokens.length === 0) return;
    const length = tokens.length + 2;
    if (length > this.sentence.length) this.sentence = growInt32(this.sentence, length);
    const ids = this.sentence;
    ids[0] = BOS_ID;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (this.level === "word" && (token === BOS || token === EOS)) {
        throw new Error(`line ${this.lineNumber}: the corpus contains the reserved token "${token}"`);
      }
      ids[i + 1] = this.vocabulary.add(token);
    }
    ids[length - 1] = EOS_ID;
    // The n-gram that predicts position j reaches back at most order - 1 tokens; near the
    // sentence start it is shorter and begins with <s>.
    for (let j = 1; j < length; j++) {
      const start = Math.max(0, j - this.order + 1);
      this.bump(j - start + 1, ids, start, 1);
    }
    this.sentences++;
    this.tokens += tokens.length;
  }

  private bump(order: number, ids: ArrayLike<number>, offset: number, amount: number): void {
    const table = this.tables[order - 1]!;
    const entry = table.insert(ids, offset);
    let counts = this.counts[order - 1]!;
    if (entry >= counts.length) counts = this.counts[order - 1] = growFloat64(counts, entry + 1);
    counts[entry]! += amount;
  }
}
