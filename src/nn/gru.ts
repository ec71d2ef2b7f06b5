import { gruCell } from "../isa/recurrent.js";
import { call, type Tensor } from "../tensor/tensor.js";
import { RecurrentLayer, type RecurrentOptions } from "./recurrent-layer.js";
import type { RNNOutput } from "./rnn.js";

/**
 * A gated recurrent unit network with PyTorch's `nn.GRU` equations and parameters, batch
 * first: each step is one `gruCell` instruction (gates r, z, n in the rows of
 * `weight_ih_l{k}` [3H, in] and `weight_hh_l{k}` [3H, H]; biases `bias_ih_l{k}`,
 * `bias_hh_l{k}` [3H]; r scales W_hn·h + b_hn), so a PyTorch state dict loads as it is.
 */
export class GRU extends RecurrentLayer {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 3, options);
  }

  /** x [batch, time, inputSize], h0 [numLayers, batch, hiddenSize] (default zeros). */
  forward(x: Tensor, h0?: Tensor): RNNOutput {
    return this.runHidden(x, h0);
  }

  protected step(layer: number, x: Tensor, h: Tensor): Tensor {
    const w = this.weights(layer);
    return call(gruCell, x, h, w.weightIh, w.weightHh, w.biasIh, w.biasHh);
  }

  protected outputOf(state: Tensor): Tensor {
    return state;
  }
}
