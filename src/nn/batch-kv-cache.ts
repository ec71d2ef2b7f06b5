// Keys and values of many sequences decoded together (continuous batching). Each sequence
// owns a row of a host-side store; a forward pass covers a contiguous range of rows, each
// feeding the same number of new tokens from its own position. The store is read by the
// pass as program inputs (used in place by targets that can) and written on the host after
// the pass, one token's keys and values at a time, so a step never copies the cache.
import { Node } from "../ir/node.js";
import { attachBuffer } from "../runtime/memory.js";
import { arange, tensor } from "../tensor/creation.js";
import { Tensor } from "../tensor/tensor.js";
import { attendCachedAndOwn, type CachedKeysValues } from "./cached-attention.js";
import { checkSize } from "./check-size.js";

export interface BatchKvCacheOptions {
  layers: number;
  /** Key/value heads (fewer than query heads with grouped-query attention). */
  kvHeads: number;
  headDim: number;
  /** Positions each row holds: the longest sequence. */
  capacity: number;
  /** Rows: sequences that can be held at once. */
  rows: number;
}

/**
 * The window of cached positions a pass reads: a power of two from 64, or the capacity.
 * Coarse, so that few programs are compiled; masked positions cost little.
 */
function windowFor(longest: number, capacity: number): number {
  if (longest === 0) return 0;
  let w = 64;
  while (w < longest) w *= 2;
  return Math.min(w, capacity);
}

/** A tensor over `array` itself: the pass reads the store where it lies. */
function wrap(array: Float32Array, shape: readonly number[]): Tensor {
  const node = Node.leaf(shape, "float32");
  attachBuffer(node, array);
  return new Tensor(node);
}

/**
 * The store: per layer, keys as [rows, kvHeads, headDim, capacity] (transposed, so q·kᵀ
 * reads rows of keys with unit stride) and values as [rows, kvHeads, capacity, headDim];
 * the filled length of every row.
 */
export class BatchKvCache {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly capacity: number;
  readonly rows: number;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  readonly lengths: Int32Array;
  /** Floats per row in one layer's keys (and values). */
  readonly rowSize: number;

  constructor(options: BatchKvCacheOptions) {
    for (const key of ["layers", "kvHeads", "headDim", "capacity", "rows"] as const) {
      checkSize("BatchKvCache", key, options[key]);
    }
    ({
      layers: this.layers,
      kvHeads: this.kvHeads,
      headDim: this.headDim,
      capacity: this.capacity,
      rows: this.rows,
    } = options);
    this.rowSize = this.kvHeads * this.headDim * this.capacity;
    const size = this.rows * this.rowSize;
    this.keys = Array.from({ length: this.layers }, () => new Float32Array(size));
    this.values = Array.from({ length: this.layers }, () => new Float32Array(size));
    this.lengths = new Int32Array(this.rows);
  }

  /** Bytes the store holds. */
  get bytes(): number {
    return 2 * this.layers * this.rows * this.rowSize * 4;
  }

  /** Forgets what row `row` holds. */
  clear(row: number): void {
    this.#checkRow(row);
    this.lengths[row] = 0;
  }

  /** Copies row `from` (its filled positions) over row `to`. */
  copyRow(from: number, to: number): void {
    this.#checkRow(from);
    this.#checkRow(to);
    if (from === to) return;
    const length = this.lengths[from]!;
    const { capacity, headDim, rowSize } = this;
    const segments = this.kvHeads * headDim;
    for (let l = 0; l < this.layers; l++) {
      const keys = this.keys[l]!;
      const values = this.values[l]!;
      // Keys: one run of `length` positions per (head, dim); values: one block per head.
      for (let s = 0; s < segments; s++) {
        const src = from * rowSize + s * capacity;
        keys.copyWithin(to * rowSize + s * capacity, src, src + length);
      }
      for (let h = 0; h < this.kvHeads; h++) {
        const src = from * rowSize + h * capacity * headDim;
        values.copyWithin(to * rowSize + h * capacity * headDim, src, src + length * headDim);
      }
    }
    this.lengths[to] = length;
  }

  /**
   * Starts a pass over rows [first, first + count), each feeding `time` tokens at its own
   * position (the last ones may be padding, past the capacity). Rows listed in `skip`
   * read no cache and are not written.
   */
  step(first: number, count: number, time: number, skip: ReadonlySet<number> = new Set()): BatchStep {
    this.#checkRow(first);
    this.#checkRow(first + count - 1);
    return new BatchStep(this, first, count, time, skip);
  }

  #checkRow(row: number): void {
    if (!Number.isInteger(row) || row < 0 || row >= this.rows) {
      throw new Error(`BatchKvCache: row ${row} is outside [0, ${this.rows})`);
    }
  }
}

/**
 * One forward pass over a range of rows: the positions of its tokens, and attention of the
 * new queries over each row's cached keys plus the pass's own keys (causal). After the pass
 * is realised, `commit` writes the new keys and values into the store.
 */
export class BatchStep {
  /** Cache length of each row of the pass before it (0 for padding rows). */
  readonly starts: Int32Array;
  /** Positions [rows, time] of the new tokens, as data. */
  readonly positions: Tensor;
  /** How many cached positions attention reads (0: none; else a bucket covering every row). */
  readonly window: number;
  readonly #cache: BatchKvCache;
  readonly #first: number;
  readonly #count: number;
  readonly #time: number;
  readonly #skip: ReadonlySet<number>;
  readonly #written: { keys: Tensor; values: Tensor }[] = [];
  readonly #wrapped: Tensor[] = [];
  #starts: Tensor | undefined;

  constructor(cache: BatchKvCache, first: number, count: number, time: number, skip: ReadonlySet<number>) {
    checkSize("BatchStep", "time", time);
    this.#cache = cache;
    this.#first = first;
    this.#count = count;
    this.#time = time;
    this.#skip = skip;
    this.starts = new Int32Array(count);
    let longest = 0;
    for (let m = 0; m < count; m++) {
      if (skip.has(first + m)) continue;
      const start = cache.lengths[first + m]!;
      if (start >= cache.capacity) {
        throw new Error(`BatchKvCache: row ${first + m} is full (${cache.capacity} positions)`);
      }
      this.starts[m] = start;
      longest = Math.max(longest, start);
    }
    this.window = windowFor(longest, cache.capacity);
    // Padding tokens of a row may run past the capacity; their positions are clamped.
    const positions = new Int32Array(count * time);
    for (let m = 0; m < count; m++) {
      for (let t = 0; t < time; t++)
        positions[m * time + t] = Math.min(this.starts[m]! + t, cache.capacity - 1);
    }
    this.positions = tensor(positions, [count, time], { dtype: "int32" });
  }

  get rows(): number {
    return this.#count;
  }

  get time(): number {
    return this.#time;
  }

  /**
   * Attention of layer `layer`: queries q [M, T, heads, D], the pass's keys and values
   * k, v [M, T, kvHeads, D] (heads a multiple of kvHeads; query head h uses key head
   * h / (heads / kvHeads)). Returns [M, T, heads, D]; `k` and `v` are written to the store
   * at `commit`. (A compiled layer calls `batchAttention` on `cached(layer)` and records its
   * new keys and values with `record`.)
   */
  attend(layer: number, q: Tensor, k: Tensor, v: Tensor): Tensor {
    this.record(layer, k, v);
    return batchAttention(q, k, v, this.cached(layer));
  }

  /**
   * What layer `layer` attends to besides the pass's own keys: the rows' cached keys and
   * values, read from the store in place, and where each row's cache ends. Undefined when no
   * row has anything cached.
   */
  cached(layer: number): CachedKeys | undefined {
    if (this.window === 0) return undefined;
    const { kvHeads, headDim, capacity, rowSize } = this.#cache;
    const m = this.#count;
    const begin = this.#first * rowSize;
    const end = begin + m * rowSize;
    this.#starts ??= tensor(this.starts, [m, 1], { dtype: "int32" });
    return {
      keys: this.#wrapInput(this.#cache.keys[layer]!.subarray(begin, end), [m, kvHeads, headDim, capacity]),
      values: this.#wrapInput(this.#cache.values[layer]!.subarray(begin, end), [
        m,
        kvHeads,
        capacity,
        headDim,
      ]),
      starts: this.#starts,
      window: this.window,
    };
  }

  /** Records the pass's new keys and values of a layer [M, T, kvHeads, D], which `commit` writes. */
  record(layer: number, keys: Tensor, values: Tensor): void {
    const { kvHeads, headDim } = this.#cache;
    const expected = [this.#count, this.#time, kvHeads, headDim].join(",");
    if (keys.shape.join(",") !== expected || values.shape.join(",") !== expected) {
      throw new Error(
        `BatchStep: layer ${layer}'s keys [${keys.shape}] and values [${values.shape}] are not [${expected}] (rows, tokens, ${kvHeads} key heads of size ${headDim})`,
      );
    }
    this.#written[layer] = { keys, values };
  }

  /** The new keys and values of a layer, to realise in the same program as its output. */
  layerOutputs(layer: number): Tensor[] {
    const w = this.#written[layer];
    return w ? [w.keys, w.values] : [];
  }

  /**
   * Writes the first `counts[i]` new tokens of row first+i into the store and advances its
   * length (call after the pass's outputs are realised). Padding rows are skipped.
   */
  commit(counts: ArrayLike<number>): void {
    const cache = this.#cache;
    const { kvHeads, headDim, capacity, rowSize } = cache;
    const t = this.#time;
    for (let layer = 0; layer < cache.layers; layer++) {
      const w = this.#written[layer];
      if (!w) throw new Error(`BatchStep.commit: layer ${layer} did not attend in this pass`);
      const keys = w.keys.dataSync() as Float32Array;
      const values = w.values.dataSync() as Float32Array;
      const storeKeys = cache.keys[layer]!;
      const storeValues = cache.values[layer]!;
      for (let m = 0; m < this.#count; m++) {
        const row = this.#first + m;
        if (this.#skip.has(row)) continue;
        const count = counts[m]!;
        if (!(count >= 0 && count <= t && this.starts[m]! + count <= capacity)) {
          throw new Error(`BatchStep.commit: ${count} tokens do not fit row ${row} (capacity ${capacity})`);
        }
        for (let i = 0; i < count; i++) {
          const position = this.starts[m]! + i;
          for (let h = 0; h < kvHeads; h++) {
            const src = ((m * t + i) * kvHeads + h) * headDim;
            const keyBase = row * rowSize + h * headDim * capacity + position;
            for (let d = 0; d < headDim; d++) storeKeys[keyBase + d * capacity] = keys[src + d]!;
            storeValues.set(
              values.subarray(src, src + headDim),
              row * rowSize + (h * capacity + position) * headDim,
            );
          }
        }
      }
    }
    for (let m = 0; m < this.#count; m++) {
      const row = this.#first + m;
      if (!this.#skip.has(row)) cache.lengths[row] = this.starts[m]! + counts[m]!;
    }
    this.dispose();
  }

  /** Lets go of the tensors over the store. */
  dispose(): void {
    for (const t of this.#wrapped) t.dispose();
    this.#wrapped.length = 0;
  }

  #wrapInput(array: Float32Array, shape: readonly number[]): Tensor {
    const t = wrap(array, shape);
    this.#wrapped.push(t);
    return t;
  }
}

/** The cached part of a batched attention (see `BatchStep.cached`). */
export interface CachedKeys {
  /** The rows' keys [M, kvHeads, D, capacity] and values [M, kvHeads, capacity, D]. */
  keys: Tensor;
  values: Tensor;
  /** int32 [M, 1]: positions each row has cached. */
  starts: Tensor;
  /** Cached positions read (masked beyond each row's start). */
  window: number;
}

/**
 * Causal attention of the pass's queries q [M, T, heads, D] over each row's cached keys
 * and the pass's own keys and values k, v [M, T, kvHeads, D] (`attendCachedAndOwn`).
 * Returns [M, T, heads, D].
 */
export function batchAttention(q: Tensor, k: Tensor, v: Tensor, cached: CachedKeys | undefined): Tensor {
  const [m, t, heads, headDim] = q.shape as [number, number, number, number];
  const kvHeads = k.shape[2]!;
  const group = heads / kvHeads;
  if (!Number.isInteger(group) || k.shape[3] !== headDim || (cached && cached.keys.shape[1] !== kvHeads)) {
    throw new Error(`batchAttention: q [${q.shape}], k [${k.shape}] do not fit the cache's key heads`);
  }
  // Query heads that share a key head attend together: [M, kvHeads, group·T, D].
  const queries = q.permute([0, 2, 1, 3]).reshape([m, kvHeads, group * t, headDim]);
  let window: CachedKeysValues | undefined;
  if (cached) {
    const w = cached.window;
    window = {
      keys: cached.keys.slice([0, 0, 0, 0], [m, kvHeads, headDim, w]),
      values: cached.values.slice([0, 0, 0, 0], [m, kvHeads, w, headDim]),
      // Which cached positions each row has filled: [M, 1, 1, window].
      valid: arange(w).reshape([1, w]).lt(cached.starts).reshape([m, 1, 1, w]),
    };
  }
  return attendCachedAndOwn(queries, k.permute([0, 2, 3, 1]), v.permute([0, 2, 1, 3]), window)
    .reshape([m, heads, t, headDim])
    .permute([0, 2, 1, 3]);
}
