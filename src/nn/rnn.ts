import type { Tensor } from "../tensor/tensor.js";
import { RecurrentLayer, type RecurrentOptions } from "./recurrent-layer.js";

export interface RNNOptions extends RecurrentOptions {
  /** "tanh" (the default) or "relu", as PyTorch's `nonlinearity`. */
  nonlinearity?: "tanh" | "relu";
}

/** What `RNN.forward` returns: the last layer's h at every step, and every layer's last h. */
export interface RNNOutput {
  /** [batch, time, hiddenSize]. */
  output: Tensor;
  /** [numLayers, batch, hiddenSize]. */
  h: Tensor;
}

/**
 * An Elman RNN with PyTorch's `nn.RNN` equations and parameters, batch first:
 * h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) per layer and step. Parameter names
 * `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`, so a PyTorch state
 * dict loads as it is.
 */
export class RNN extends RecurrentLayer {
  readonly nonlinearity: "tanh" | "relu";

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super(inputSize, hiddenSize, 1, options);
    this.nonlinearity = options.nonlinearity ?? "tanh";
    if (this.nonlinearity !== "tanh" && this.nonlinearity !== "relu") {
      throw new Error(`RNN: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(this.nonlinearity)}`);
    }
  }

  /** x [batch, time, inputSize], h0 [numLayers, batch, hiddenSize] (default zeros). */
  forward(x: Tensor, h0?: Tensor): RNNOutput {
    return this.runHidden(x, h0);
  }

  protected step(layer: number, x: Tensor, h: Tensor): Tensor {
    const w = this.weights(layer);
    const pre = affine(x, w.weightIh, w.biasIh).add(affine(h, w.weightHh, w.biasHh));
    return this.nonlinearity === "tanh" ? pre.tanh() : pre.relu();
  }

  protected outputOf(state: Tensor): Tensor {
    return state;
  }
}

/**
 * v [N, K] · Wᵀ + b, written (W · vᵀ)ᵀ so that only the small v is transposed: the weights
 * are used at every time step, and transposing them would copy them at every step.
 */
function affine(v: Tensor, w: Tensor, b: Tensor): Tensor {
  return w.matmul(v.transpose()).transpose().add(b);
}
