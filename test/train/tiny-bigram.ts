// A tiny language model for testing the training loop quickly on the slow reference
// target: a bigram table (the logits for the next token are a row per current token),
// with dropout on the logits so that checkpoints must carry the dropout seed stream.
import { Dropout } from "../../src/nn/dropout.js";
import { Embedding } from "../../src/nn/embedding.js";
import { Module } from "../../src/nn/module.js";
import { SeedStream } from "../../src/nn/seed-stream.js";
import { SeededRng } from "../../src/random/seeded-rng.js";
import { crossEntropy } from "../../src/tensor/functions.js";
import type { Tensor } from "../../src/tensor/tensor.js";

export interface TinyBigramOptions {
  vocabSize: number;
  seed?: number;
  dropout?: number;
  /** From this many calls of `loss` on (in training mode), the loss is NaN. */
  poisonAfter?: number;
}

export class TinyBigram extends Module {
  readonly table: Embedding;
  readonly drop: Dropout;
  readonly seeds: SeedStream;
  #trainingCalls = 0;

  constructor(readonly options: TinyBigramOptions) {
    super();
    const seed = options.seed ?? 0;
    this.seeds = new SeedStream(seed + 1);
    this.table = this.submodule(
      "table",
      new Embedding(options.vocabSize, options.vocabSize, { rng: new SeededRng(seed) }),
    );
    this.drop = this.submodule("drop", new Dropout(options.dropout ?? 0, { seeds: this.seeds }));
  }

  loss(ids: Tensor, targets: Tensor): Tensor {
    const loss = crossEntropy(this.drop.forward(this.table.forward(ids)), targets);
    if (!this.training) return loss;
    this.#trainingCalls++;
    const poison = this.options.poisonAfter;
    // 0/0 rather than a NaN constant: constants are attributes, and NaN is not a valid one.
    return poison !== undefined && this.#trainingCalls > poison ? loss.mul(0).div(0) : loss;
  }
}
