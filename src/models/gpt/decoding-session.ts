import { compile } from "../../tensor/compile.js";
import { tensor, zeros } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { Tensor } from "../../tensor/tensor.js";
import { gptHeadDim } from "./config.js";
import type { Gpt } from "./gpt.js";
import { KvCache } from "./kv-cache.js";

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
    const model = this.#model;
    const time = ids.length;
    const { blockSize } = model.config;
    const width = 3 * model.config.nHead * gptHeadDim(model.config);
    return noGrad(() => {
      const idsTensor = tensor(ids, [1, time], { dtype: "int32" });
      const positions = this.#cache.nextPositions(time);
      const buffers = this.#cache.layers.map((l) => l.projections ?? zeros([1, blockSize, width]));
      // In training mode dropout draws fresh seeds each call: no trace may keep them.
      const [last, ...next] = model.training
        ? realised(decodingStep(model, idsTensor, positions, ...buffers))
        : compiledStep(model)(idsTensor, positions, ...buffers);
      this.#cache.layers.forEach((layer, i) => {
        layer.advance(next[i]!, time);
      });
      const values = last!.dataSync();
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

/**
 * One decoding step over explicit state: ids [1, T] at positions [T] (data), each layer's
 * cache buffer [1, blockSize, 3·inner]. Returns the last position's logits [1, 1, vocab]
 * and each layer's buffer with the new rows written.
 */
function decodingStep(model: Gpt, ids: Tensor, positions: Tensor, ...buffers: Tensor[]): Tensor[] {
  const cache = KvCache.over(buffers, positions);
  const logits = model.forward(ids, cache);
  const time = ids.shape[1]!;
  const last = logits.slice([0, time - 1, 0], [1, time, model.config.vocabSize]);
  return [last, ...cache.tensors()];
}

function realised(tensors: Tensor[]): Tensor[] {
  Tensor.realize(...tensors);
  return tensors;
}

const compiledSteps = new WeakMap<Gpt, (ids: Tensor, positions: Tensor, ...buffers: Tensor[]) => Tensor[]>();

/** The model's decoding step, compiled: every token after the first builds no graph. */
function compiledStep(model: Gpt): (ids: Tensor, positions: Tensor, ...buffers: Tensor[]) => Tensor[] {
  let step = compiledSteps.get(model);
  if (!step) {
    step = compile(
      (ids: Tensor, positions: Tensor, ...buffers: Tensor[]) =>
        decodingStep(model, ids, positions, ...buffers),
      { name: "Gpt decoding step", maxTraces: 4, retraceWarning: false },
    );
    compiledSteps.set(model, step);
  }
  return step;
}
