// The keys and values a model has computed for one sequence, per layer, in host arrays of
// fixed size that the compiled step reads as arguments (in place on the native target):
// keys [kvHeads, headDim, capacity] and values [kvHeads, capacity, headDim], the layouts in
// which the attention's two products read them as they are. A step's new rows come out of its program as small outputs and are copied
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
  /** Per layer, the arrays as tensors: keys [1, kvHeads, headDim, capacity], values [1, kvHeads, capacity, headDim]. */
  readonly keyTensors: readonly Tensor[];
  readonly valueTensors: readonly Tensor[];
  #pending: PendingRows[] | undefined;
  #pendingCount = 0;

  constructor(
    readonly layers: number,
    readonly capacity: number,
    readonly kvHeads: number,
    readonly headDim: number,
  ) {
    const size = capacity * kvHeads * headDim;
    this.#keys = Array.from({ length: layers }, () => new Float32Array(size));
    this.#values = Array.from({ length: layers }, () => new Float32Array(size));
    // The arrays change between runs (commit writes into them); programs read their inputs
    // when they run, so each run sees the rows committed before it.
    this.keyTensors = this.#keys.map((a) => adoptArray(a, [1, kvHeads, headDim, capacity]));
    this.valueTensors = this.#values.map((a) => adoptArray(a, [1, kvHeads, capacity, headDim]));
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

  /** Records a layer's new rows [1, count, kvHeads · headDim] (in layer order), computed by the step. */
  add(keys: Tensor, values: Tensor): void {
    this.#pending!.push({ keys, values });
  }

  /** Copies the step's new rows into the arrays; the positions become part of the cache. */
  commit(): void {
    const pending = this.#pending;
    if (!pending) return;
    if (pending.length !== this.layers)
      throw new Error(`KvCache: ${pending.length} of ${this.layers} layers wrote rows`);
    const { capacity, kvHeads, headDim } = this;
    pending.forEach(({ keys, values }, layer) => {
      const newKeys = keys.dataSync() as Float32Array;
      const newValues = values.dataSync() as Float32Array;
      const storeKeys = this.#keys[layer]!;
      const storeValues = this.#values[layer]!;
      for (let i = 0; i < this.#pendingCount; i++) {
        const position = this.#length + i;
        for (let h = 0; h < kvHeads; h++) {
          const from = (i * kvHeads + h) * headDim;
          const keyAt = h * headDim * capacity + position;
          for (let d = 0; d < headDim; d++) storeKeys[keyAt + d * capacity] = newKeys[from + d]!;
          storeValues.set(newValues.subarray(from, from + headDim), (h * capacity + position) * headDim);
        }
      }
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
