import type { Node } from "../ir/node.js";
import { fmt, sizeOf } from "../ir/shape.js";
import { sigmoid } from "./activations.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type RefValue, type TensorMeta } from "./instruction.js";
import { matmul } from "./matmul.js";
import { concat, permute, reshape, slice } from "./movement.js";
import { add, mul, sub, tanh } from "./scalar-ops.js";

/**
 * Recurrent cells: one time step of an LSTM or a GRU, with PyTorch's gate equations and
 * weight layout (`nn.LSTM`, `nn.GRU`), so weights trained in either place work in the
 * other. They are composites, so the compiler sees a whole cell at once and can fuse its
 * gate arithmetic; the `ref` of each is written out in plain loops, as the oracle the
 * decomposition is tested against.
 *
 * Operand layout (`...` is any number of leading batch axes, the same for x and the state):
 *
 *   lstmCell(x [..., I], state [..., 2H], weight_ih [4H, I], weight_hh [4H, H],
 *            bias_ih [4H], bias_hh [4H]) → state' [..., 2H]
 *   gruCell (x [..., I], h [..., H],      weight_ih [3H, I], weight_hh [3H, H],
 *            bias_ih [3H], bias_hh [3H]) → h' [..., H]
 *
 * An instruction has one output, and an LSTM carries two vectors, so its state is h and c
 * side by side on the last axis, h first: `state = concat([h, c], -1)`. The cell maps a
 * state to a state of the same layout, so a sequence is a chain of cells with nothing in
 * between; `h` is `state[..., :H]` and `c` is `state[..., H:]`.
 *
 * LSTM (gate rows of the weights in the order i, f, g, o):
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *   g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *   c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
 *
 * GRU (gate rows in the order r, z, n):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h' = (1 − z) ⊙ n + z ⊙ h
 */

/** Sizes every check and loop needs: leading batch size N, input size I, hidden size H. */
interface CellSizes {
  lead: number[];
  n: number;
  inputSize: number;
  hidden: number;
}

/**
 * Checks the operands of a cell with `gates` gate blocks and returns its sizes. `stateParts`
 * is how many H-sized vectors the state holds (2 for an LSTM's h and c, 1 for a GRU's h).
 */
function checkCell(
  name: string,
  inputs: readonly TensorMeta[],
  gates: number,
  stateParts: number,
  stateName: string,
): CellSizes {
  const [x, state, wIh, wHh, bIh, bHh] = inputs as [
    TensorMeta,
    TensorMeta,
    TensorMeta,
    TensorMeta,
    TensorMeta,
    TensorMeta,
  ];
  for (const operand of inputs) {
    checkDType(name, operand.dtype, "float");
    if (operand.dtype !== x.dtype) {
      throw new InstructionError(
        name,
        `operands must share a dtype, got ${inputs.map((i) => i.dtype).join(", ")}`,
      );
    }
  }
  if (x.shape.length < 1) throw new InstructionError(name, `x needs an input axis, got ${fmt(x.shape)}`);
  const lead = x.shape.slice(0, -1);
  const inputSize = x.shape[x.shape.length - 1]!;
  const stateSize = state.shape[state.shape.length - 1];
  const sameLead = state.shape.length === x.shape.length && lead.every((d, axis) => state.shape[axis] === d);
  if (!sameLead || stateSize === undefined || stateSize % stateParts !== 0 || stateSize === 0) {
    const want = stateParts === 1 ? "H" : `${stateParts}·H`;
    throw new InstructionError(
      name,
      `${stateName} must be [${[...lead, want].join(", ")}] for x ${fmt(x.shape)}, got ${fmt(state.shape)}`,
    );
  }
  const hidden = stateSize / stateParts;
  const expect = (what: string, got: TensorMeta, want: number[]) => {
    if (got.shape.length !== want.length || got.shape.some((d, axis) => d !== want[axis])) {
      throw new InstructionError(
        name,
        `${what} must be ${fmt(want)} (input size ${inputSize} from x ${fmt(x.shape)}, hidden size ` +
          `${hidden} from ${stateName} ${fmt(state.shape)}), got ${fmt(got.shape)}`,
      );
    }
  };
  expect("weight_ih", wIh, [gates * hidden, inputSize]);
  expect("weight_hh", wHh, [gates * hidden, hidden]);
  expect("bias_ih", bIh, [gates * hidden]);
  expect("bias_hh", bHh, [gates * hidden]);
  return { lead, n: sizeOf(lead), inputSize, hidden };
}

/**
 * v [N, K] · Wᵀ + b for W [G, K] and b [G]: one row of gate pre-activations per batch row.
 * Written (W · vᵀ)ᵀ so that only the small operands are transposed: a sequence uses W at
 * every step, and transposing W itself would copy the whole matrix at every step, forward
 * and backward.
 */
function affine(v: Node, w: Node, b: Node): Node {
  const t = { axes: [1, 0] };
  return add(permute(matmul(w, permute(v, t)), t), b);
}

/** Columns [start, start + width) of a [N, K] matrix. */
function columns(m: Node, start: number, width: number): Node {
  return slice(m, { starts: [0, start], ends: [m.shape[0]!, start + width] });
}

/** The affine maps of x and h computed in the reference: gates[row·G + g] = Σ w[g, k]·v[row, k] + b[g]. */
function refAffine(
  v: RefValue,
  w: RefValue,
  b: RefValue,
  n: number,
  size: number,
  gates: number,
): Float64Array {
  const out = new Float64Array(n * gates);
  for (let row = 0; row < n; row++) {
    for (let g = 0; g < gates; g++) {
      let sum = b.data[g]!;
      for (let k = 0; k < size; k++) sum += w.data[g * size + k]! * v.data[row * size + k]!;
      out[row * gates + g] = sum;
    }
  }
  return out;
}

const sigma = (v: number) => 1 / (1 + Math.exp(-v));

export const lstmCell = defineInstruction({
  name: "lstmCell",
  doc: "one LSTM step as PyTorch's nn.LSTM (gates i,f,g,o): (x, [h,c], W_ih, W_hh, b_ih, b_hh) → [h',c']",
  operands: 6,
  shape: (inputs) => {
    const { lead, hidden } = checkCell("lstmCell", inputs, 4, 2, "state [h, c]");
    return [...lead, 2 * hidden];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x, state, wIh, wHh, bIh, bHh], out) => {
    const {
      n,
      inputSize,
      hidden: h,
    } = checkCell("lstmCell", [x!, state!, wIh!, wHh!, bIh!, bHh!], 4, 2, "state");
    // h is the first half of each state row; refAffine reads rows of width H, so copy it out.
    const hPart = new Float64Array(n * h);
    for (let row = 0; row < n; row++)
      for (let j = 0; j < h; j++) hPart[row * h + j] = state!.data[row * 2 * h + j]!;
    const fromX = refAffine(x!, wIh!, bIh!, n, inputSize, 4 * h);
    const fromH = refAffine({ ...state!, data: hPart }, wHh!, bHh!, n, h, 4 * h);
    for (let row = 0; row < n; row++) {
      for (let j = 0; j < h; j++) {
        const pre = (gate: number) => fromX[row * 4 * h + gate * h + j]! + fromH[row * 4 * h + gate * h + j]!;
        const i = sigma(pre(0));
        const f = sigma(pre(1));
        const g = Math.tanh(pre(2));
        const o = sigma(pre(3));
        const c = f * state!.data[row * 2 * h + h + j]! + i * g;
        out.data[row * 2 * h + j] = o * Math.tanh(c);
        out.data[row * 2 * h + h + j] = c;
      }
    }
  },
  decompose: ([x, state, wIh, wHh, bIh, bHh]) => {
    const lead = x!.shape.slice(0, -1);
    const h = state!.shape[state!.shape.length - 1]! / 2;
    // Leading axes folded into one batch axis: the products are plain [N, K] · [K, 4H].
    const n = sizeOf(lead);
    const rows = reshape(state!, { shape: [n, 2 * h] });
    const hPrev = columns(rows, 0, h);
    const cPrev = columns(rows, h, h);
    const gates = add(
      affine(reshape(x!, { shape: [n, x!.shape[x!.shape.length - 1]!] }), wIh!, bIh!),
      affine(hPrev, wHh!, bHh!),
    );
    const i = sigmoid(columns(gates, 0, h));
    const f = sigmoid(columns(gates, h, h));
    const g = tanh(columns(gates, 2 * h, h));
    const o = sigmoid(columns(gates, 3 * h, h));
    const c = add(mul(f, cPrev), mul(i, g));
    const next = concat(mul(o, tanh(c)), c, { axis: 1 });
    return reshape(next, { shape: [...lead, 2 * h] });
  },
});

export const gruCell = defineInstruction({
  name: "gruCell",
  doc: "one GRU step as PyTorch's nn.GRU (gates r,z,n): (x, h, W_ih, W_hh, b_ih, b_hh) → h'",
  operands: 6,
  shape: (inputs) => {
    const { lead, hidden } = checkCell("gruCell", inputs, 3, 1, "h");
    return [...lead, hidden];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x, hIn, wIh, wHh, bIh, bHh], out) => {
    const { n, inputSize, hidden: h } = checkCell("gruCell", [x!, hIn!, wIh!, wHh!, bIh!, bHh!], 3, 1, "h");
    const fromX = refAffine(x!, wIh!, bIh!, n, inputSize, 3 * h);
    const fromH = refAffine(hIn!, wHh!, bHh!, n, h, 3 * h);
    for (let row = 0; row < n; row++) {
      for (let j = 0; j < h; j++) {
        const at = (gate: number) => row * 3 * h + gate * h + j;
        const r = sigma(fromX[at(0)]! + fromH[at(0)]!);
        const z = sigma(fromX[at(1)]! + fromH[at(1)]!);
        const candidate = Math.tanh(fromX[at(2)]! + r * fromH[at(2)]!);
        out.data[row * h + j] = (1 - z) * candidate + z * hIn!.data[row * h + j]!;
      }
    }
  },
  decompose: ([x, hIn, wIh, wHh, bIh, bHh]) => {
    const lead = x!.shape.slice(0, -1);
    const h = hIn!.shape[hIn!.shape.length - 1]!;
    const n = sizeOf(lead);
    const hPrev = reshape(hIn!, { shape: [n, h] });
    const fromX = affine(reshape(x!, { shape: [n, x!.shape[x!.shape.length - 1]!] }), wIh!, bIh!);
    const fromH = affine(hPrev, wHh!, bHh!);
    const r = sigmoid(add(columns(fromX, 0, h), columns(fromH, 0, h)));
    const z = sigmoid(add(columns(fromX, h, h), columns(fromH, h, h)));
    const candidate = tanh(add(columns(fromX, 2 * h, h), mul(r, columns(fromH, 2 * h, h))));
    // (1 − z)·n + z·h written as n + z·(h − n): one product fewer.
    const next = add(candidate, mul(z, sub(hPrev, candidate)));
    return reshape(next, { shape: [...lead, h] });
  },
});
