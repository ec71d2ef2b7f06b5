// TF-IDF features of texts as sparse rows, defined as scikit-learn's TfidfVectorizer
// defines them, so that a model trained here and one trained there see the same numbers:
//
// - "word": lowercased tokens of two or more word characters (letters, digits, _), then
//   n-grams of them joined by a space;
// - "char_wb": lowercased character n-grams inside each whitespace-separated word padded
//   with a space on both sides (a word no longer than n gives one n-gram, itself);
// - terms in fewer than `minDf` training documents are dropped; idf = ln((1+n)/(1+df)) + 1;
//   tf is the count, or 1 + ln(count) with `sublinearTf`; each row is scaled to unit L2 norm.

/** Sparse rows (CSR): row r's entries are indices/values[indptr[r] .. indptr[r+1]). */
export interface SparseRows {
  rows: number;
  columns: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

export interface TfidfOptions {
  analyzer: "word" | "char_wb";
  /** Smallest and largest n (inclusive). */
  ngramRange: [number, number];
  /** Keep terms found in at least this many training documents (default 1). */
  minDf?: number;
  /** tf = 1 + ln(count) instead of the count (default false). */
  sublinearTf?: boolean;
}

export interface TfidfJson {
  options: TfidfOptions;
  /** Terms in column order. */
  terms: string[];
  idf: number[];
}

const WORD = /[\p{L}\p{N}_]{2,}/gu;
/** What Python's str.split() splits on (JavaScript's \s differs: it has U+FEFF, lacks U+001C–U+001F and U+0085). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: Python splits on U+001C–U+001F too
const SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

function hasSurrogates(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Calls `emit` with the id of every term of a text, as the analyzer defines terms; `idOf`
 * gives a term's id, or −1 to skip it. Character n-grams depend on the word alone, so each
 * distinct word's ids are worked out once and kept in `words` (the same words recur in
 * every text), which makes the character analyzer several times faster.
 */
function forEachTermId(
  text: string,
  options: TfidfOptions,
  idOf: (term: string) => number,
  emit: (id: number) => void,
  words: Map<string, Int32Array>,
): void {
  const [minN, maxN] = options.ngramRange;
  const lower = text.toLowerCase();
  const emitTerm = (term: string) => {
    const id = idOf(term);
    if (id >= 0) emit(id);
  };
  if (options.analyzer === "word") {
    const tokens = lower.match(WORD) ?? [];
    for (let n = minN; n <= Math.min(maxN, tokens.length); n++) {
      if (n === 1) for (const t of tokens) emitTerm(t);
      else {
        for (let i = 0; i + n <= tokens.length; i++) {
          let gram = tokens[i]!;
          for (let j = 1; j < n; j++) gram += ` ${tokens[i + j]!}`;
          emitTerm(gram);
        }
      }
    }
    return;
  }
  for (const word of lower.split(SPACE)) {
    if (word === "") continue;
    let ids = words.get(word);
    if (ids === undefined) {
      const found: number[] = [];
      forEachCharNgram(word, minN, maxN, (gram) => {
        const id = idOf(gram);
        if (id >= 0) found.push(id);
      });
      ids = Int32Array.from(found);
      words.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) emit(ids[i]!);
  }
}

/** The char_wb n-grams of one word, padded with a space on each side. */
function forEachCharNgram(word: string, minN: number, maxN: number, emit: (gram: string) => void): void {
  const padded = ` ${word} `;
  // Python slices code points; so do we where a word has characters beyond the BMP.
  const chars = hasSurrogates(padded) ? Array.from(padded) : undefined;
  const length = chars ? chars.length : padded.length;
  const slice = chars
    ? (a: number, b: number) => chars.slice(a, b).join("")
    : (a: number, b: number) => padded.slice(a, b);
  for (let n = minN; n <= maxN; n++) {
    emit(slice(0, n));
    if (length <= n) break;
    for (let offset = 1; offset + n <= length; offset++) emit(slice(offset, offset + n));
  }
}

function checkOptions(options: TfidfOptions): void {
  const [minN, maxN] = options.ngramRange;
  if (!(Number.isInteger(minN) && Number.isInteger(maxN) && minN >= 1 && maxN >= minN)) {
    throw new Error(`TF-IDF: ngramRange must be [min, max] with 1 ≤ min ≤ max, got [${minN}, ${maxN}]`);
  }
}

/** Counts integer term ids of one text: a dense count array and the list of ids touched. */
class TermCounter {
  private counts = new Int32Array(1024);
  private touched: number[] = [];

  add(id: number): void {
    if (id >= this.counts.length) {
      const grown = new Int32Array(Math.max(this.counts.length * 2, id + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[id]++ === 0) this.touched.push(id);
  }

  /** The ids counted since the last take and their counts; resets. */
  take(): { terms: Int32Array; counts: Int32Array } {
    const terms = Int32Array.from(this.touched);
    const counts = Int32Array.from(this.touched, (id) => this.counts[id]!);
    for (const id of this.touched) this.counts[id] = 0;
    this.touched.length = 0;
    return { terms, counts };
  }
}

export class TfidfVectorizer {
  readonly options: TfidfOptions;
  private vocabulary = new Map<string, number>();
  private idf = new Float64Array(0);

  constructor(options: TfidfOptions) {
    checkOptions(options);
    this.options = { minDf: 1, sublinearTf: false, ...options };
  }

  get size(): number {
    return this.vocabulary.size;
  }

  /** Learns the vocabulary and idf of the training texts. */
  fit(texts: readonly string[]): this {
    this.fitTransform(texts);
    return this;
  }

  /**
   * Learns the vocabulary and idf of the training texts and returns their rows. Each text's
   * terms are hashed once: they get provisional ids, counted per text, and are renumbered
   * into the kept vocabulary at the end.
   */
  fitTransform(texts: readonly string[]): SparseRows {
    const ids = new Map<string, number>();
    const docIds: Int32Array[] = [];
    const docCounts: Int32Array[] = [];
    let df = new Int32Array(1024);
    const counter = new TermCounter();
    const words = new Map<string, Int32Array>();
    const idOf = (term: string) => {
      let id = ids.get(term);
      if (id === undefined) {
        id = ids.size;
        ids.set(term, id);
        if (id >= df.length) {
          const grown = new Int32Array(df.length * 2);
          grown.set(df);
          df = grown;
        }
      }
      return id;
    };
    for (const text of texts) {
      forEachTermId(text, this.options, idOf, (id) => counter.add(id), words);
      const { terms, counts } = counter.take();
      for (const id of terms) df[id]!++;
      docIds.push(terms);
      docCounts.push(counts);
    }
    const minDf = this.options.minDf ?? 1;
    const kept = [...ids.entries()].filter(([, id]) => df[id]! >= minDf);
    if (kept.length === 0) {
      throw new Error(
        `TF-IDF (${this.options.analyzer}): no term occurs in ${minDf} or more of the ${texts.length} training texts`,
      );
    }
    kept.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const column = new Int32Array(ids.size).fill(-1);
    kept.forEach(([, id], c) => {
      column[id] = c;
    });
    this.vocabulary = new Map(kept.map(([term], c) => [term, c]));
    this.idf = Float64Array.from(kept, ([, id]) => Math.log((1 + texts.length) / (1 + df[id]!)) + 1);
    return this.rows(texts.length, (r, visit) => {
      const terms = docIds[r]!;
      const counts = docCounts[r]!;
      for (let i = 0; i < terms.length; i++) {
        const c = column[terms[i]!]!;
        if (c >= 0) visit(c, counts[i]!);
      }
    });
  }

  /** The texts as L2-normalised TF-IDF rows over the fitted vocabulary (unknown terms ignored). */
  transform(texts: readonly string[]): SparseRows {
    if (this.vocabulary.size === 0) throw new Error("TF-IDF: transform before fit");
    const counter = new TermCounter();
    const words = new Map<string, Int32Array>();
    const idOf = (term: string) => this.vocabulary.get(term) ?? -1;
    return this.rows(texts.length, (r, visit) => {
      forEachTermId(texts[r]!, this.options, idOf, (c) => counter.add(c), words);
      const { terms, counts } = counter.take();
      for (let i = 0; i < terms.length; i++) visit(terms[i]!, counts[i]!);
    });
  }

  /** Builds normalised rows from each row's (column, count) pairs. */
  private rows(
    n: number,
    termsOf: (row: number, visit: (column: number, count: number) => void) => void,
  ): SparseRows {
    const indptr = new Int32Array(n + 1);
    let indices = new Int32Array(1 << 16);
    let values = new Float32Array(1 << 16);
    let at = 0;
    const row: number[] = [];
    const rowCounts = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      row.length = 0;
      rowCounts.clear();
      termsOf(r, (column, count) => {
        row.push(column);
        rowCounts.set(column, count);
      });
      row.sort((a, b) => a - b);
      if (at + row.length > indices.length) {
        const size = Math.max(indices.length * 2, at + row.length);
        const grownIndices = new Int32Array(size);
        grownIndices.set(indices);
        indices = grownIndices;
        const grownValues = new Float32Array(size);
        grownValues.set(values);
        values = grownValues;
      }
      let norm = 0;
      const weights = row.map((column) => {
        const count = rowCounts.get(column)!;
        const tf = this.options.sublinearTf ? 1 + Math.log(count) : count;
        const w = tf * this.idf[column]!;
        norm += w * w;
        return w;
      });
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let i = 0; i < row.length; i++) {
        indices[at] = row[i]!;
        values[at++] = weights[i]! * scale;
      }
      indptr[r + 1] = at;
    }
    return {
      rows: n,
      columns: this.vocabulary.size,
      indptr,
      indices: indices.slice(0, at),
      values: values.slice(0, at),
    };
  }

  toJSON(): TfidfJson {
    const terms = new Array<string>(this.vocabulary.size);
    for (const [term, i] of this.vocabulary) terms[i] = term;
    return { options: this.options, terms, idf: Array.from(this.idf) };
  }

  static fromJSON(json: TfidfJson): TfidfVectorizer {
    const v = new TfidfVectorizer(json.options);
    if (json.terms.length !== json.idf.length) throw new Error("TF-IDF: terms and idf differ in length");
    v.vocabulary = new Map(json.terms.map((t, i) => [t, i]));
    v.idf = Float64Array.from(json.idf);
    return v;
  }
}

/** Sparse rows side by side: the columns of `b` follow those of `a`. */
export function concatColumns(a: SparseRows, b: SparseRows): SparseRows {
  if (a.rows !== b.rows) throw new Error(`concatColumns: ${a.rows} rows beside ${b.rows}`);
  const nnz = a.values.length + b.values.length;
  const indptr = new Int32Array(a.rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let at = 0;
  for (let r = 0; r < a.rows; r++) {
    for (const [m, offset] of [
      [a, 0],
      [b, a.columns],
    ] as const) {
      for (let i = m.indptr[r]!; i < m.indptr[r + 1]!; i++) {
        indices[at] = m.indices[i]! + offset;
        values[at++] = m.values[i]!;
      }
    }
    indptr[r + 1] = at;
  }
  return { rows: a.rows, columns: a.columns + b.columns, indptr, indices, values };
}

/** The rows at `which`, in that order. */
export function selectRows(m: SparseRows, which: readonly number[]): SparseRows {
  let nnz = 0;
  for (const r of which) nnz += m.indptr[r + 1]! - m.indptr[r]!;
  const indptr = new Int32Array(which.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let at = 0;
  which.forEach((r, i) => {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    indices.set(m.indices.subarray(start, end), at);
    values.set(m.values.subarray(start, end), at);
    at += end - start;
    indptr[i + 1] = at;
  });
  return { rows: which.length, columns: m.columns, indptr, indices, values };
}
