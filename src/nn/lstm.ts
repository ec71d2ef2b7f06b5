import { lstmCell } from "../isa/recurrent.js";
import { concat, stack } from "../tensor/functions.js";
import { call, type Tensor } from "../tensor/tensor.js";
import { RecurrentLayer, type RecurrentOptions } from "./recurrent-layer.js";

/** An LSTM's state: h and c, each [numLayers, batch, hiddenSize]. */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/** What `LSTM.forward` returns: the last layer's h at every step, and every layer's last h and c. */
export interface LSTMOutput extends LSTMState {
  /** [batch, time, hiddenSize]. */
  output: Tensor;
}

/**
 * A long short-term memory network with PyTorch's `nn.LSTM` equations and parameters, batch
 * first: each step is one `lstmCell` instruction (gates i, f, g, o in the rows of
 * `weight_ih_l{k}` [4H, in] and `weight_hh_l{k}` [4H, H]; biases `bias_ih_l{k}`,
 * `bias_hh_l{k}` [4H]), so a PyTorch state dict loads as it is.
 */
export class LSTM extends RecurrentLayer {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super(inputSize, hiddenSize, 4, options);
  }

  /** x [batch, time, inputSize]; the initial state defaults to zeros. */
  forward(x: Tensor, state?: LSTMState): LSTMOutput {
    const { batch } = this.checkInput(x);
    let initial: Tensor[];
    if (state) {
      const cs = this.splitLayers(state.c, batch, "c0");
      initial = this.splitLayers(state.h, batch, "h0").map((h, layer) => concat([h, cs[layer]!], 1));
    } else {
      initial = this.zeroStates(batch, 2 * this.hiddenSize);
    }
    const { output, finals } = this.run(x, initial);
    const H = this.hiddenSize;
    return {
      output,
      h: stack(
        finals.map((s) => s.slice([0, 0], [batch, H])),
        0,
      ),
      c: stack(
        finals.map((s) => s.slice([0, H], [batch, 2 * H])),
        0,
      ),
    };
  }

  protected step(layer: number, x: Tensor, state: Tensor): Tensor {
    const w = this.weights(layer);
    return call(lstmCell, x, state, w.weightIh, w.weightHh, w.biasIh, w.biasHh);
  }

  protected outputOf(state: Tensor): Tensor {
    return state.slice([0, 0], [state.shape[0]!, this.hiddenSize]);
  }
}
