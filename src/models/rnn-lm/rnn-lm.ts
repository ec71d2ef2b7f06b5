import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import { GRU } from "../../nn/gru.js";
import { Linear } from "../../nn/linear.js";
import { LSTM } from "../../nn/lstm.js";
import { Module } from "../../nn/module.js";
import { RNN } from "../../nn/rnn.js";
import { SeedStream } from "../../nn/seed-stream.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { crossEntropy } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { GenerateOptions } from "../../text/sampling.js";
import { type RnnLmConfig, validateRnnLmConfig } from "./config.js";
import { generateRnnTokens } from "./generate.js";

export interface RnnLmOptions {
  /**
   * Seeds the initial weights and, through a generator derived from it, the dropout masks
   * (`dropoutSeeds`). Default 0: two models built with the same config and seed are equal.
   */
  seed?: number;
}

/** What a recurrent LM carries from one call to the next: h, and c for an LSTM, each [layers, batch, hidden]. */
export interface RnnLmState {
  h: Tensor;
  c?: Tensor;
}

export interface RnnLmOutput {
  /** Next-token logits [batch, time, vocab]. */
  logits: Tensor;
  /** The state after the last step, to continue the sequence with. */
  state: RnnLmState;
}

/**
 * A recurrent language model: token embedding → a stack of RNN, LSTM or GRU layers → a
 * linear head over the vocabulary, with dropout after the embedding, between layers and
 * before the head. Unlike a GPT it has no context limit: the state carries the whole past,
 * so generation continues the state one token at a time.
 *
 * Parameter names: `embedding.weight`, `rnn.weight_ih_l{k}`, `rnn.weight_hh_l{k}`,
 * `rnn.bias_ih_l{k}`, `rnn.bias_hh_l{k}` (PyTorch's names and layout), `head.weight`,
 * `head.bias`.
 */
export class RnnLm extends Module {
  readonly config: RnnLmConfig;
  readonly embedding: Embedding;
  readonly rnn: RNN | LSTM | GRU;
  readonly head: Linear;
  readonly #dropIn: Dropout;
  readonly #dropOut: Dropout;
  /** The stream every dropout of this model draws its mask seeds from (checkpointed by `fit`). */
  readonly dropoutSeeds: SeedStream;

  constructor(config: RnnLmConfig, options: RnnLmOptions = {}) {
    super();
    this.config = validateRnnLmConfig(config);
    const { kind, vocabSize, embeddingSize, hiddenSize, numLayers, dropout } = this.config;
    const rng = new SeededRng(options.seed ?? 0);
    this.dropoutSeeds = new SeedStream(rng.nextUint32());
    const seeds = this.dropoutSeeds;
    this.embedding = this.submodule("embedding", new Embedding(vocabSize, embeddingSize, { rng }));
    const layerOptions = { numLayers, dropout, seeds, rng };
    this.rnn = this.submodule(
      "rnn",
      kind === "lstm"
        ? new LSTM(embeddingSize, hiddenSize, layerOptions)
        : kind === "gru"
          ? new GRU(embeddingSize, hiddenSize, layerOptions)
          : new RNN(embeddingSize, hiddenSize, layerOptions),
    );
    this.head = this.submodule("head", new Linear(hiddenSize, vocabSize, { rng }));
    this.#dropIn = this.submodule("dropIn", new Dropout(dropout, { seeds }));
    this.#dropOut = this.submodule("dropOut", new Dropout(dropout, { seeds }));
  }

  /** Logits for int32 ids [batch, time], continuing from `state` (default: zeros). */
  forward(ids: Tensor, state?: RnnLmState): RnnLmOutput {
    if (ids.dtype !== "int32" || ids.rank !== 2 || ids.shape[1] === 0) {
      throw new Error(`RnnLm.forward: ids must be int32 [batch, time ≥ 1], got ${ids.dtype} [${ids.shape}]`);
    }
    const x = this.#dropIn.forward(this.embedding.forward(ids));
    let output: Tensor;
    let next: RnnLmState;
    if (this.rnn instanceof LSTM) {
      if (state && state.c === undefined)
        throw new Error("RnnLm.forward: an LSTM's state needs c as well as h");
      const out = this.rnn.forward(x, state ? { h: state.h, c: state.c! } : undefined);
      output = out.output;
      next = { h: out.h, c: out.c };
    } else {
      const out = this.rnn.forward(x, state?.h);
      output = out.output;
      next = { h: out.h };
    }
    return { logits: this.head.forward(this.#dropOut.forward(output)), state: next };
  }

  /** Mean cross-entropy of the next-token predictions for ids [B, T] against targets [B, T], from a zero state. */
  loss(ids: Tensor, targets: Tensor): Tensor {
    return crossEntropy(this.forward(ids).logits, targets);
  }

  /**
   * Continues a prompt by sampling up to `maxTokens` tokens, carrying the recurrent state
   * from token to token, in eval mode and without recording gradients; returns the new
   * tokens. The options are every language model's (`GenerateOptions`).
   */
  generate(promptIds: readonly number[], options: GenerateOptions): number[] {
    return generateRnnTokens(this, promptIds, options);
  }
}
