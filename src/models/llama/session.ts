// Generating from a GGUF model: a session holds one sequence's tokens and KV cache. A prompt
// is run in one batched pass (prefill), then each sampled token in one more; a chat turn
// that extends what the cache has seen runs only the new tokens.

import { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import type { GgufTokenizer } from "../../text/gguf/tokenizer.js";
import { type SamplingOptions, sampleToken } from "../../text/sampling.js";
import type { KvCache } from "./kv-cache.js";
import type { LlamaModel } from "./llama.js";

export interface GenerationStats {
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
  /** Milliseconds from the start to the first generated token. */
  firstTokenMs: number;
}

export interface GenerateFromOptions {
  maxTokens: number;
  sampler?: SamplingOptions;
  seed?: number;
  /** Stop at end-of-generation tokens (EOS, end of turn). Default true. */
  stopAtEnd?: boolean;
  /** Text as it is decoded (whole UTF-8 characters only). */
  onText?: (text: string) => void;
}

export class GenerationSession {
  readonly tokens: number[] = [];
  #cache: KvCache;
  #logits: Float32Array | undefined;
  /** Tokens run through the model so far, over the session's life (for prefill counts). */
  #fed = 0;

  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: GgufTokenizer,
    readonly capacity = model.config.contextLength,
  ) {
    this.#cache = model.createCache(capacity);
  }

  /** Runs `ids` after what the session has seen, in one pass; returns the next token's logits. */
  feed(ids: readonly number[]): Float32Array {
    if (ids.length === 0) {
      if (!this.#logits) throw new Error("generate: nothing to continue (the prompt is empty)");
      return this.#logits;
    }
    if (this.tokens.length + ids.length > this.capacity) {
      throw new Error(
        `the context is full: ${this.tokens.length} + ${ids.length} tokens exceed ${this.capacity} (use a larger --context)`,
      );
    }
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.model.config.vocabSize) {
        throw new Error(`token ${id} is outside the vocabulary [0, ${this.model.config.vocabSize})`);
      }
    }
    this.#logits = noGrad(() => {
      // One program computes the logits and the new cache rows.
      const logits = this.model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), this.#cache);
      this.#cache.commit();
      const values = logits.dataSync();
      return values instanceof Float32Array ? values : Float32Array.from(values);
    });
    this.tokens.push(...ids);
    this.#fed += ids.length;
    return this.#logits;
  }

  /**
   * Makes the session's tokens `ids`: when they extend what it has seen, only the rest is
   * run; otherwise the cache starts over.
   */
  prime(ids: readonly number[]): Float32Array {
    const seen = this.tokens;
    const extends_ = seen.length > 0 && seen.length < ids.length && seen.every((id, i) => id === ids[i]);
    if (!extends_) {
      this.tokens.length = 0;
      this.#logits = undefined;
      this.#cache.clear();
    }
    return this.feed(ids.slice(this.tokens.length));
  }

  /** Samples up to maxTokens tokens after `promptIds`, streaming text; returns the new ids and timings. */
  generate(
    promptIds: readonly number[],
    options: GenerateFromOptions,
  ): { ids: number[]; stats: GenerationStats } {
    const start = performance.now();
    const fedBefore = this.#fed;
    let logits = this.prime(promptIds);
    const prefillMs = performance.now() - start;
    const promptTokens = this.#fed - fedBefore;
    const rng = new SeededRng(options.seed ?? 0);
    const decoder = new TextDecoder();
    const ids: number[] = [];
    let firstTokenMs = 0;
    const decodeStart = performance.now();
    while (ids.length < options.maxTokens) {
      const id = sampleToken(logits, rng, { previousTokens: this.tokens, ...options.sampler });
      if (ids.length === 0) firstTokenMs = performance.now() - start;
      if ((options.stopAtEnd ?? true) && this.tokenizer.endOfGeneration.has(id)) break;
      ids.push(id);
      options.onText?.(decoder.decode(this.tokenizer.tokenBytes(id), { stream: true }));
      if (ids.length >= options.maxTokens || this.tokens.length + 1 > this.capacity) {
        this.tokens.push(id);
        break;
      }
      logits = this.feed([id]);
    }
    options.onText?.(decoder.decode());
    return {
      ids,
      stats: {
        promptTokens,
        generatedTokens: ids.length,
        prefillMs,
        decodeMs: performance.now() - decodeStart,
        firstTokenMs,
      },
    };
  }
}
