import { zeros } from "../tensor/creation.js";
import { dropout, stack } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, uniform } from "./init.js";
import { Module } from "./module.js";
import type { SeedStream } from "./seed-stream.js";

/** Options of `RNN`, `LSTM` and `GRU`, named as PyTorch names them. */
export interface RecurrentOptions extends InitOptions {
  /** Stacked layers; layer l > 0 reads the outputs of layer l − 1. Default 1. */
  numLayers?: number;
  /** Whether each layer has the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  /** Where dropout mask seeds come from (see `Dropout`). */
  seeds?: SeedStream;
}

/** One layer's parameters; the biases are zero constants when the layer has none. */
export interface RecurrentWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor;
  biasHh: Tensor;
}

/**
 * What the three recurrent layers share: PyTorch's parameters and their names
 * (`weight_ih_l{k}` [G·H, in], `weight_hh_l{k}` [G·H, H], `bias_ih_l{k}`, `bias_hh_l{k}`
 * [G·H], for G gate blocks), PyTorch's init U(−1/√H, 1/√H) for every one of them, the
 * batch-first input checks, and the loop over layers and time steps.
 *
 * A subclass says how one time step maps a layer's state to the next (`step`) and which
 * part of the state is the output h (`outputOf`). States are [batch, stateWidth·H]: H for an
 * RNN or a GRU, 2H (h then c) for an LSTM, the layout of the `lstmCell` instruction.
 */
export abstract class RecurrentLayer extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly dropout: number;
  readonly seeds: SeedStream | undefined;
  readonly #weights: RecurrentWeights[] = [];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    /** Gate blocks in each weight matrix: 1 (RNN), 3 (GRU), 4 (LSTM). */
    readonly gates: number,
    options: RecurrentOptions,
  ) {
    super();
    const name = this.constructor.name;
    checkSize(name, "inputSize", inputSize);
    checkSize(name, "hiddenSize", hiddenSize);
    this.numLayers = options.numLayers ?? 1;
    checkSize(name, "numLayers", this.numLayers);
    this.bias = options.bias ?? true;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new Error(`${name}: dropout must be in [0, 1), got ${this.dropout}`);
    this.seeds = options.seeds;
    const bound = 1 / Math.sqrt(hiddenSize);
    const rows = gates * hiddenSize;
    const init = (shape: number[]) => uniform(shape, -bound, bound, options.rng);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inputs = layer === 0 ? inputSize : hiddenSize;
      const weightIh = this.param(`weight_ih_l${layer}`, init([rows, inputs]));
      const weightHh = this.param(`weight_hh_l${layer}`, init([rows, hiddenSize]));
      const biasIh = this.bias ? this.param(`bias_ih_l${layer}`, init([rows])) : undefined;
      const biasHh = this.bias ? this.param(`bias_hh_l${layer}`, init([rows])) : undefined;
      this.#weights.push({
        weightIh,
        weightHh,
        // Without biases the cells still take bias operands: zeros, which the compiler folds away.
        get biasIh() {
          return biasIh ?? zeros([rows]);
        },
        get biasHh() {
          return biasHh ?? zeros([rows]);
        },
      });
    }
  }

  /** The parameters of layer `layer` (biases are zeros when the layer has none). */
  weights(layer: number): RecurrentWeights {
    const w = this.#weights[layer];
    if (w === undefined)
      throw new Error(`${this.constructor.name}: no layer ${layer} (it has ${this.numLayers})`);
    return w;
  }

  /** One time step of layer `layer`: input x [B, in] and state [B, S] → the next state [B, S]. */
  protected abstract step(layer: number, x: Tensor, state: Tensor): Tensor;

  /** The output h [B, H] held in a state [B, S]. */
  protected abstract outputOf(state: Tensor): Tensor;

  /** Throws unless x is [batch, time, inputSize] float32 with at least one step; returns batch and time. */
  protected checkInput(x: Tensor): { batch: number; time: number } {
    const [batch, time, features] = x.shape;
    if (x.rank !== 3 || features !== this.inputSize || x.dtype !== "float32" || time === 0) {
      throw new Error(
        `${this.constructor.name}: expects float32 input [batch, time ≥ 1, ${this.inputSize}] (batch first), ` +
          `got ${x.dtype} [${x.shape}]`,
      );
    }
    return { batch: batch!, time: time! };
  }

  /**
   * Throws unless `state` is [numLayers, batch, hiddenSize]; `what` names it in the error
   * (h0, c0). Returns one [batch, hiddenSize] tensor per layer.
   */
  protected splitLayers(state: Tensor, batch: number, what: string): Tensor[] {
    const want = [this.numLayers, batch, this.hiddenSize];
    if (state.rank !== 3 || state.shape.some((d, axis) => d !== want[axis]) || state.dtype !== "float32") {
      throw new Error(
        `${this.constructor.name}: ${what} must be float32 [numLayers, batch, hiddenSize] = [${want}], ` +
          `got ${state.dtype} [${state.shape}]`,
      );
    }
    return Array.from({ length: this.numLayers }, (_, layer) =>
      state.slice([layer, 0, 0], [layer + 1, batch, this.hiddenSize]).reshape([batch, this.hiddenSize]),
    );
  }

  /**
   * Runs every layer over the whole sequence x [B, T, in], layer by layer, from the initial
   * states (one [B, S] per layer). Returns the last layer's outputs [B, T, H] and each
   * layer's final state.
   */
  protected run(x: Tensor, initial: readonly Tensor[]): { output: Tensor; finals: Tensor[] } {
    const { batch, time } = this.checkInput(x);
    const finals: Tensor[] = [];
    let sequence = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const features = sequence.shape[2]!;
      let state = initial[layer]!;
      const outputs: Tensor[] = [];
      for (let t = 0; t < time; t++) {
        const xt = sequence.slice([0, t, 0], [batch, t + 1, features]).reshape([batch, features]);
        state = this.step(layer, xt, state);
        outputs.push(this.outputOf(state));
      }
      finals.push(state);
      sequence = stack(outputs, 1);
      const last = layer === this.numLayers - 1;
      if (!last && this.training && this.dropout > 0) {
        sequence = dropout(sequence, this.dropout, { seed: this.seeds?.next() });
      }
    }
    return { output: sequence, finals };
  }

  /**
   * The forward pass of a layer whose state is h alone (RNN, GRU): from h0 [numLayers,
   * batch, H] (default zeros) to the last layer's outputs and every layer's last h.
   */
  protected runHidden(x: Tensor, h0: Tensor | undefined): { output: Tensor; h: Tensor } {
    const { batch } = this.checkInput(x);
    const initial = h0 ? this.splitLayers(h0, batch, "h0") : this.zeroStates(batch, this.hiddenSize);
    const { output, finals } = this.run(x, initial);
    return { output, h: stack(finals, 0) };
  }

  /** States of zeros, [B, width] for each layer. */
  protected zeroStates(batch: number, width: number): Tensor[] {
    return Array.from({ length: this.numLayers }, () => zeros([batch, width]));
  }
}
