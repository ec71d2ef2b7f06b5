import { BatchKvCache } from "../nn/batch-kv-cache.js";
import { noGrad } from "../tensor/functional.js";
import type { ServedModel } from "./engine.js";

export interface BatchEngineOptions {
  /** Sequences decoded together at most (slots). */
  slots: number;
  /** Positions per sequence (default and maximum: the model's context length). */
  contextLength?: number;
  /** The most prompt tokens one prefill pass feeds a sequence. */
  prefillChunk: number;
}

/** Tokens fed to one sequence in a step. */
export interface StepEntry {
  sequence: number;
  tokens: readonly number[];
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Runs a served model's forward passes for many sequences (continuous batching). Each open
 * sequence holds a row of the key/value store. A step feeds every sequence its tokens:
 * those with one token (decoding) go through one batched pass, whose matrix products get a
 * row per sequence; those with several (prompt chunks) through a second pass, each chunk
 * padded to a power of two so that few programs are ever compiled.
 */
export class BatchEngine {
  readonly served: ServedModel;
  readonly slots: number;
  readonly contextLength: number;
  readonly prefillChunk: number;
  readonly #cache: BatchKvCache;
  /** Rows a decoding pass may span: sequences live in the first `slots`, the rest pad. */
  readonly #passRows: number;
  /** Row of each open sequence. */
  readonly #rows = new Map<number, number>();
  /** Sequence in each row, or -1; the last row is scratch (swaps, embeddings). */
  readonly #owners: Int32Array;
  #nextId = 1;

  constructor(served: ServedModel, options: BatchEngineOptions) {
    const model = served.model;
    const contextLength = options.contextLength ?? model.contextLength;
    if (!Number.isInteger(contextLength) || contextLength < 2 || contextLength > model.contextLength) {
      throw new Error(
        `the context length must be 2…${model.contextLength} for this model, got ${contextLength}`,
      );
    }
    if (!Number.isInteger(options.slots) || options.slots < 1) {
      throw new Error(`the number of slots must be a positive integer, got ${options.slots}`);
    }
    if (!Number.isInteger(options.prefillChunk) || options.prefillChunk < 1) {
      throw new Error(`the prefill chunk must be a positive integer, got ${options.prefillChunk}`);
    }
    this.served = served;
    this.slots = options.slots;
    this.contextLength = contextLength;
    this.prefillChunk = Math.min(options.prefillChunk, contextLength);
    this.#passRows = nextPowerOfTwo(options.slots);
    this.#cache = new BatchKvCache({ ...model.kvShape, capacity: contextLength, rows: this.#passRows + 1 });
    this.#owners = new Int32Array(this.#passRows + 1).fill(-1);
  }

  /** Bytes of the key/value store. */
  get cacheBytes(): number {
    return this.#cache.bytes;
  }

  get openSequences(): number {
    return this.#rows.size;
  }

  /** Filled fraction of the key/value store. */
  cacheUsage(): number {
    let used = 0;
    for (const row of this.#rows.values()) used += this.#cache.lengths[row]!;
    return used / (this.slots * this.contextLength);
  }

  /** A new, empty sequence; throws when every slot is taken. */
  open(): number {
    const row = this.#owners.findIndex((owner, r) => owner < 0 && r < this.slots);
    if (row < 0) throw new Error(`all ${this.slots} slots are busy`);
    const id = this.#nextId++;
    this.#owners[row] = id;
    this.#rows.set(id, row);
    this.#cache.clear(row);
    return id;
  }

  close(sequence: number): void {
    const row = this.#rows.get(sequence);
    if (row === undefined) return;
    this.#owners[row] = -1;
    this.#rows.delete(sequence);
  }

  /** Positions a sequence holds. */
  length(sequence: number): number {
    return this.#cache.lengths[this.#row(sequence)]!;
  }

  /** Feeds each entry's tokens to its sequence and returns the next-token logits of each. */
  step(entries: readonly StepEntry[]): Float32Array[] {
    const logits: Float32Array[] = new Array(entries.length);
    for (const entry of entries) {
      const length = this.length(entry.sequence);
      if (entry.tokens.length === 0) throw new Error("a step entry needs at least one token");
      if (length + entry.tokens.length > this.contextLength) {
        throw new Error(
          `sequence ${entry.sequence}: ${length} + ${entry.tokens.length} tokens exceed the context (${this.contextLength})`,
        );
      }
    }
    const single = entries.map((_, i) => i).filter((i) => entries[i]!.tokens.length === 1);
    const several = entries.map((_, i) => i).filter((i) => entries[i]!.tokens.length > 1);
    noGrad(() => {
      for (const [group, run] of [
        [single, (e: readonly StepEntry[]) => this.#decode(e)],
        [several, (e: readonly StepEntry[]) => this.#prefill(e, single.length)],
      ] as const) {
        if (group.length === 0) continue;
        const results = run(group.map((i) => entries[i]!));
        group.forEach((i, k) => {
          logits[i] = results[k]!;
        });
      }
    });
    return logits;
  }

  /**
   * The mean of the final hidden states over `ids`, scaled to unit length (an embedding).
   * Runs without touching any sequence.
   */
  embed(ids: readonly number[]): Float32Array {
    if (ids.length === 0) throw new Error("nothing to embed: the input has no tokens");
    if (ids.length > this.contextLength) {
      throw new Error(`the input has ${ids.length} tokens; the context holds ${this.contextLength}`);
    }
    const time = Math.min(nextPowerOfTwo(ids.length), this.contextLength);
    const padded = new Int32Array(time);
    padded.set(ids);
    const scratch = this.#passRows;
    return noGrad(() => {
      // A padding row reads and writes no cache: the tokens attend to each other only.
      const step = this.#cache.step(scratch, 1, time, new Set([scratch]));
      try {
        const hidden = this.served.model.hidden(padded, step).dataSync() as Float32Array;
        const width = hidden.length / time;
        const mean = new Float32Array(width);
        for (let t = 0; t < ids.length; t++) {
          for (let d = 0; d < width; d++) mean[d]! += hidden[t * width + d]! / ids.length;
        }
        let norm = 0;
        for (const v of mean) norm += v * v;
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < width; d++) mean[d] = mean[d]! / norm;
        return mean;
      } finally {
        step.dispose();
      }
    });
  }

  /**
   * Compiles the programs of decoding passes (every padded batch size, the first cache
   * window) so that the first requests do not wait for them.
   */
  warmUp(): void {
    for (let size = 1; ; size *= 2) {
      const m = Math.min(size, this.slots);
      const sequences = Array.from({ length: m }, () => this.open());
      // The first step reads no cache, the second the first window.
      for (let i = 0; i < 2; i++) this.step(sequences.map((sequence) => ({ sequence, tokens: [0] })));
      for (const s of sequences) this.close(s);
      if (m === this.slots) break;
    }
  }

  /** One pass over the sequences fed one token each, in rows 0…M−1. */
  #decode(entries: readonly StepEntry[]): Float32Array[] {
    return this.#pass(entries, 0, 1);
  }

  /**
   * One pass feeding prompt chunks to several sequences, in the rows after the decoding
   * ones; every chunk is padded to the longest, a power of two.
   */
  #prefill(entries: readonly StepEntry[], first: number): Float32Array[] {
    const longest = Math.max(...entries.map((e) => e.tokens.length));
    return this.#pass(entries, first, Math.min(nextPowerOfTwo(longest), this.contextLength));
  }

  /**
   * Moves the entries' sequences to rows first…first+M−1 (those in place stay; the rest swap
   * into the rows left over, never below `first`) and runs one pass of `time` tokens per
   * row. The pass is padded to a power of two rows where the store has them (rows that
   * read and write nothing), so that few pass shapes are ever compiled.
   */
  #pass(entries: readonly StepEntry[], first: number, time: number): Float32Array[] {
    const m = entries.length;
    const order = [...entries].sort((a, b) => this.#row(a.sequence) - this.#row(b.sequence));
    order.forEach((entry, k) => {
      const row = this.#row(entry.sequence);
      if (row !== first + k) this.#swap(row, first + k);
    });
    const padded = nextPowerOfTwo(m);
    const rows = first + padded <= this.#passRows ? padded : m;
    const ids = new Int32Array(rows * time);
    const last = new Int32Array(rows);
    const counts = new Int32Array(rows);
    for (const entry of entries) {
      const r = this.#row(entry.sequence) - first;
      ids.set(entry.tokens, r * time);
      last[r] = entry.tokens.length - 1;
      counts[r] = entry.tokens.length;
    }
    const padding = new Set(Array.from({ length: rows - m }, (_, i) => first + m + i));
    const step = this.#cache.step(first, rows, time, padding);
    try {
      const values = this.served.model.logits(ids, step, last).dataSync() as Float32Array;
      step.commit(counts);
      const vocab = values.length / rows;
      return entries.map((e) => {
        const r = this.#row(e.sequence) - first;
        return values.subarray(r * vocab, (r + 1) * vocab);
      });
    } finally {
      step.dispose();
    }
  }

  #row(sequence: number): number {
    const row = this.#rows.get(sequence);
    if (row === undefined) throw new Error(`sequence ${sequence} is not open`);
    return row;
  }

  /** Exchanges what two rows hold (the last row is scratch). */
  #swap(a: number, b: number): void {
    const cache = this.#cache;
    const ownerA = this.#owners[a]!;
    const ownerB = this.#owners[b]!;
    // A free row's content is not kept.
    if (ownerA < 0) cache.copyRow(b, a);
    else if (ownerB < 0) cache.copyRow(a, b);
    else {
      cache.copyRow(a, this.#passRows);
      cache.copyRow(b, a);
      cache.copyRow(this.#passRows, b);
    }
    this.#owners[a] = ownerB;
    this.#owners[b] = ownerA;
    if (ownerA >= 0) this.#rows.set(ownerA, b);
    if (ownerB >= 0) this.#rows.set(ownerB, a);
  }
}
