// The keys and values a model has computed for one sequence, per layer, in host arrays of
// fixed size [capacity, kvDim] that the compiled step reads as arguments (in place on the
// native target). A step's new rows come out of its program as small outputs and are copied
// into the arrays afterwards (`commit`), so no step copies or rewrites the whole cache, and
// since the positions are data every decoding step runs the same program.
import { adoptArray } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

interface PendingRows {
  keys: Tensor;
  values: Tensor;
}

export class KvCache {
  #length = 0;
  readonly #keys: Float32Array[];
  readonly #values: Float32Array[];
  /** Per layer, the arrays as tensors [1, capacity, kvDim]. */
  readonly keyTensors: readonly Tensor[];
  readonly valueTensors: readonly Tensor[];
  #pending: PendingRows[] | undefined;
  #pendingCount = 0;

  constructor(
    readonly layers: number,
    readonly capacity: number,
    readonly kvDim: number,
  ) {
    this.#keys = Array.from({ length: layers }, () => new Float32Array(capacity * kvDim));
    this.#values = Array.from({ length: layers }, () => new Float32Array(capacity * kvDim));
    // The arrays change between runs (commit writes into them); programs read their inputs
    // when they run, so each run sees the rows committed before it.
    this.keyTensors = this.#keys.map((a) => adoptArray(a, [1, capacity, kvDim]));
    this.valueTensors = this.#values.map((a) => adoptArray(a, [1, capacity, kvDim]));
  }

  /** Positions committed so far. */
  get length(): number {
    return this.#length;
  }

  /** Starts a step of `count` new positions; fails while the last step is not committed. */
  begin(count: number): void {
    if (this.#pending) throw new Error("KvCache: the previous step's rows were not committed");
    if (this.#length + count > this.capacity) {
      throw new Error(
        `KvCache: ${this.#length} cached + ${count} new positions exceed the capacity ${this.capacity}`,
      );
    }
    this.#pending = [];
    this.#pendingCount = count;
  }

  /** Records a layer's new rows [1, count, kvDim] (in layer order), computed by the step. */
  add(keys: Tensor, values: Tensor): void {
    this.#pending!.push({ keys, values });
  }

  /** Copies the step's new rows into the arrays; the positions become part of the cache. */
  commit(): void {
    const pending = this.#pending;
    if (!pending) return;
    if (pending.length !== this.layers)
      throw new Error(`KvCache: ${pending.length} of ${this.layers} layers wrote rows`);
    const at = this.#length * this.kvDim;
    pending.forEach(({ keys, values }, layer) => {
      this.#keys[layer]!.set(keys.dataSync() as Float32Array, at);
      this.#values[layer]!.set(values.dataSync() as Float32Array, at);
    });
    this.#length += this.#pendingCount;
    this.#pending = undefined;
  }

  /** Forgets every position (the arrays are reused). */
  clear(): void {
    this.#pending = undefined;
    this.#length = 0;
  }
}
