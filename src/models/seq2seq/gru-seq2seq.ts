// A recurrent encoder–decoder with additive attention (Bahdanau et al.): a GRU reads the
// source; the decoder is a GRU cell whose input is the previous target token's embedding
// joined with the attention context, and the next token's logits come from its state and
// that context. The decoder's first state is tanh(W·mean of the encoder's outputs).
import { gruCell } from "../../isa/recurrent.js";
import { AdditiveAttention } from "../../nn/additive-attention.js";
import { Embedding } from "../../nn/embedding.js";
import { GRU } from "../../nn/gru.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { concat, stack } from "../../tensor/functions.js";
import { call, Tensor } from "../../tensor/tensor.js";
import { type DecoderState, repeatRows, type Seq2SeqModel } from "./seq2seq-model.js";
import { toFloat32 } from "./transformer-seq2seq.js";
import type { Seq2SeqBatch } from "./vocabulary.js";

export interface GruSeq2SeqConfig {
  architecture: "gru";
  sourceVocab: number;
  targetVocab: number;
  embd: number;
  hidden: number;
  maxSourceLength: number;
  maxTargetLength: number;
  seed: number;
}

/** What the decoder reads of the source: outputs, their projected keys and the padding bias. */
interface Memory {
  values: Tensor;
  keys: Tensor;
  bias: Tensor;
}

export class GruSeq2Seq extends Module implements Seq2SeqModel {
  readonly sourceEmbed: Embedding;
  readonly targetEmbed: Embedding;
  readonly encoder: GRU;
  readonly bridge: Linear;
  readonly attention: AdditiveAttention;
  readonly decoderCell: GRU;
  readonly out: Linear;

  constructor(readonly config: GruSeq2SeqConfig) {
    super();
    const { embd, hidden } = config;
    const rng = new SeededRng(config.seed);
    this.sourceEmbed = this.submodule("sourceEmbed", new Embedding(config.sourceVocab, embd, { rng }));
    this.targetEmbed = this.submodule("targetEmbed", new Embedding(config.targetVocab, embd, { rng }));
    this.encoder = this.submodule("encoder", new GRU(embd, hidden, { rng }));
    this.bridge = this.submodule("bridge", new Linear(hidden, hidden, { rng }));
    this.attention = this.submodule("attention", new AdditiveAttention(hidden, hidden, hidden, { rng }));
    this.decoderCell = this.submodule("decoderCell", new GRU(embd + hidden, hidden, { rng }));
    this.out = this.submodule("out", new Linear(2 * hidden, config.targetVocab, { rng }));
  }

  get sourceVocab(): number {
    return this.config.sourceVocab;
  }
  get targetVocab(): number {
    return this.config.targetVocab;
  }
  get maxSourceLength(): number {
    return this.config.maxSourceLength;
  }
  get maxTargetLength(): number {
    return this.config.maxTargetLength;
  }

  /** The encoder's outputs and the decoder's first state [B, H]. */
  encode(source: Tensor, sourceBias: Tensor): { memory: Memory; state: Tensor } {
    const [batch, length] = source.shape as [number, number];
    const values = this.encoder.forward(this.sourceEmbed.forward(source).mul(0.1)).output;
    // 1 for real positions (bias 0), 0 for padding (bias −1e9).
    const real = sourceBias.gt(-1).cast("float32").reshape([batch, length, 1]);
    const mean = values.mul(real).sum(1).div(real.sum(1));
    const state = this.bridge.forward(mean).tanh();
    return { memory: { values, keys: this.attention.projectKeys(values), bias: sourceBias }, state };
  }

  /** One decoder step: previous tokens [B] → logits [B, V], the next state and the attention weights [B, S]. */
  decodeStep(
    tokens: Tensor,
    state: Tensor,
    memory: Memory,
  ): { logits: Tensor; state: Tensor; weights: Tensor } {
    const { context, weights } = this.attention.forward(state, memory.keys, memory.values, memory.bias);
    const input = concat([this.targetEmbed.forward(tokens).mul(0.1), context], 1);
    const w = this.decoderCell.weights(0);
    const next = call(gruCell, input, state, w.weightIh, w.weightHh, w.biasIh, w.biasHh);
    return { logits: this.out.forward(concat([next, context], 1)), state: next, weights };
  }

  logits(batch: Seq2SeqBatch): Tensor {
    const [rows, time] = batch.targetIn.shape as [number, number];
    const { memory, state: first } = this.encode(batch.source, batch.sourceBias);
    let state = first;
    const logits: Tensor[] = [];
    for (let t = 0; t < time; t++) {
      const tokens = batch.targetIn.slice([0, t], [rows, t + 1]).reshape([rows]);
      const step = this.decodeStep(tokens, state, memory);
      state = step.state;
      logits.push(step.logits);
    }
    return stack(logits, 1);
  }

  startDecoding(source: Tensor, sourceBias: Tensor, beams: number): DecoderState {
    return new GruDecoderState(this, source, sourceBias, beams);
  }
}

class GruDecoderState implements DecoderState {
  readonly rows: number;
  readonly #memory: Memory;
  #state: Tensor;

  constructor(
    private readonly model: GruSeq2Seq,
    source: Tensor,
    sourceBias: Tensor,
    beams: number,
  ) {
    const batch = source.shape[0]!;
    this.rows = batch * beams;
    const repeat = tensor(repeatRows(batch, beams), [this.rows], { dtype: "int32" });
    ({ memory: this.#memory, state: this.#state } = noGrad(() => {
      const { memory, state } = model.encode(source, sourceBias);
      const repeated = {
        values: memory.values.gather(repeat, 0),
        keys: memory.keys.gather(repeat, 0),
        bias: memory.bias.gather(repeat, 0),
      };
      const first = state.gather(repeat, 0);
      Tensor.realize(repeated.values, repeated.keys, repeated.bias, first);
      return { memory: repeated, state: first };
    }));
  }

  step(tokens: Int32Array): { logProbs: Float32Array; attention: Float32Array } {
    return noGrad(() => {
      const ids = tensor(tokens, [this.rows], { dtype: "int32" });
      const { logits, state, weights } = this.model.decodeStep(ids, this.#state, this.#memory);
      const logProbs = logits.logSoftmax(-1);
      Tensor.realize(logProbs, weights, state);
      this.#state = state;
      return { logProbs: toFloat32(logProbs), attention: toFloat32(weights) };
    });
  }

  selectRows(parents: Int32Array): void {
    this.#state = this.#state.gather(tensor(parents, [this.rows], { dtype: "int32" }), 0);
  }
}
