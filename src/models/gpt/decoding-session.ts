import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Gpt } from "./gpt.js";
import type { KvCache } from "./kv-cache.js";

/**
 * Incremental decoding of one sequence: holds the tokens so far, a KV cache and the logits
 * for the next token. Appending a token runs the model on that token alone while the
 * context fits in blockSize. Beyond that the context is cropped to the last blockSize
 * tokens, which moves every token to a new position, so the cache no longer applies and the
 * window is run from scratch: the logits are always those of a full forward pass over the
 * last min(length, blockSize) tokens.
 *
 * The model should be in eval mode (dropout off); `generate` takes care of that.
 */
export class DecodingSession {
  readonly #model: Gpt;
  readonly #tokens: number[] = [];
  #cache: KvCache;
  #logits: Float32Array;

  constructor(model: Gpt, promptIds: readonly number[]) {
    if (promptIds.length === 0) throw new Error("generate: the prompt needs at least one token");
    this.#model = model;
    for (const id of promptIds) this.#tokens.push(this.#checkId(id));
    this.#cache = model.createCache();
    this.#logits = this.#runWindow();
  }

  /** Every token so far, prompt included. */
  get tokens(): readonly number[] {
    return this.#tokens;
  }

  /** Logits for the token after `tokens` (a copy is not made: do not modify). */
  get logits(): Float32Array {
    return this.#logits;
  }

  /** Extends the sequence by one token and computes the logits that follow it. */
  append(id: number): void {
    this.#tokens.push(this.#checkId(id));
    this.#logits =
      this.#cache.length < this.#model.config.blockSize ? this.#runStep([id]) : this.#runWindow();
  }

  /** A fresh cache filled from the last blockSize tokens. */
  #runWindow(): Float32Array {
    this.#cache = this.#model.createCache();
    return this.#runStep(this.#tokens.slice(-this.#model.config.blockSize));
  }

  #runStep(ids: readonly number[]): Float32Array {
    return noGrad(() => {
      const logits = this.#model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), this.#cache);
      const vocab = this.#model.config.vocabSize;
      const last = logits.slice([0, ids.length - 1, 0], [1, ids.length, vocab]);
      // One program for the logits and the cache, so the next step reads the cache's values.
      Tensor.realize(last, ...this.#cache.tensors());
      const values = last.dataSync();
      return values instanceof Float32Array ? values : Float32Array.from(values);
    });
  }

  #checkId(id: number): number {
    const vocab = this.#model.config.vocabSize;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new Error(`generate: token ${id} is outside the vocabulary [0, ${vocab})`);
    }
    return id;
  }
}
