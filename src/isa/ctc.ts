import { fmt } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type RefValue, type TensorMeta } from "./instruction.js";
import { reshape } from "./movement.js";
import { mul } from "./scalar-ops.js";

/**
 * Connectionist temporal classification (Graves et al. 2006): the negative log-likelihood
 * of a label sequence summed over every alignment of it to the input frames (labels
 * repeated, separated by blanks), by the forward algorithm in log space. Its gradient is
 * a second instruction that runs the forward and backward passes together.
 */

type CtcAttrs = { blank?: number };

function checkCtc(name: string, [logProbs, targets, inputLengths, targetLengths]: readonly TensorMeta[]) {
  checkDType(name, logProbs!.dtype, "float");
  if (logProbs!.shape.length !== 3) {
    throw new InstructionError(
      name,
      `log-probabilities must be [batch, time, classes], got ${fmt(logProbs!.shape)}`,
    );
  }
  const [batch] = logProbs!.shape as [number, number, number];
  if (targets!.dtype !== "int32" || targets!.shape.length !== 2 || targets!.shape[0] !== batch) {
    throw new InstructionError(
      name,
      `targets must be int32 [${batch}, maxLabels], got ${targets!.dtype} ${fmt(targets!.shape)}`,
    );
  }
  for (const [what, lengths] of [
    ["input lengths", inputLengths!],
    ["target lengths", targetLengths!],
  ] as const) {
    if (lengths.dtype !== "int32" || lengths.shape.length !== 1 || lengths.shape[0] !== batch) {
      throw new InstructionError(
        name,
        `${what} must be int32 [${batch}], got ${lengths.dtype} ${fmt(lengths.shape)}`,
      );
    }
  }
}

function canonicalCtc(name: string) {
  return (inputs: readonly TensorMeta[], a: CtcAttrs) => {
    checkCtc(name, inputs);
    const classes = inputs[0]!.shape[2]!;
    const blank = a.blank ?? 0;
    if (!(Number.isInteger(blank) && blank >= 0 && blank < classes)) {
      throw new InstructionError(name, `blank must be a class in [0, ${classes}), got ${blank}`);
    }
    return { blank };
  };
}

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/**
 * Forward (α) and backward (β) variables of sequence b over the extended labels
 * l' = blank, l1, blank, l2, …, blank, both including the frame's own log-probability.
 */
function ctcLattice(
  [logProbs, targets, inputLengths, targetLengths]: readonly RefValue[],
  b: number,
  blank: number,
  name: string,
) {
  const [, time, classes] = logProbs!.shape as [number, number, number];
  const maxLabels = targets!.shape[1]!;
  const frames = inputLengths!.data[b]!;
  const labels = targetLengths!.data[b]!;
  if (!(frames >= 0 && frames <= time))
    throw new InstructionError(name, `input length ${frames} is outside [0, ${time}]`);
  if (!(labels >= 0 && labels <= maxLabels))
    throw new InstructionError(name, `target length ${labels} is outside [0, ${maxLabels}]`);
  const extended = 2 * labels + 1;
  const label = (s: number) => (s % 2 === 0 ? blank : targets!.data[b * maxLabels + (s - 1) / 2]!);
  for (let s = 1; s < extended; s += 2) {
    const l = label(s);
    if (!(l >= 0 && l < classes) || l === blank)
      throw new InstructionError(name, `target ${l} is not a class other than the blank in [0, ${classes})`);
  }
  const lp = (t: number, s: number) => logProbs!.data[(b * time + t) * classes + label(s)]!;
  const alpha = new Float64Array(frames * extended).fill(Number.NEGATIVE_INFINITY);
  const beta = new Float64Array(frames * extended).fill(Number.NEGATIVE_INFINITY);
  // A label may skip the blank before it unless it repeats the label before that.
  const canSkip = (s: number) => s >= 2 && s % 2 === 1 && label(s) !== label(s - 2);
  if (frames > 0) {
    alpha[0] = lp(0, 0);
    if (extended > 1) alpha[1] = lp(0, 1);
    for (let t = 1; t < frames; t++) {
      for (let s = 0; s < extended; s++) {
        let a = alpha[(t - 1) * extended + s]!;
        if (s >= 1) a = logAdd(a, alpha[(t - 1) * extended + s - 1]!);
        if (canSkip(s)) a = logAdd(a, alpha[(t - 1) * extended + s - 2]!);
        alpha[t * extended + s] = a + lp(t, s);
      }
    }
    const last = (frames - 1) * extended;
    beta[last + extended - 1] = lp(frames - 1, extended - 1);
    if (extended > 1) beta[last + extended - 2] = lp(frames - 1, extended - 2);
    for (let t = frames - 2; t >= 0; t--) {
      for (let s = 0; s < extended; s++) {
        let v = beta[(t + 1) * extended + s]!;
        if (s + 1 < extended) v = logAdd(v, beta[(t + 1) * extended + s + 1]!);
        if (s + 2 < extended && canSkip(s + 2)) v = logAdd(v, beta[(t + 1) * extended + s + 2]!);
        beta[t * extended + s] = v + lp(t, s);
      }
    }
  }
  const end = (frames - 1) * extended;
  const logLikelihood =
    frames === 0
      ? labels === 0
        ? 0
        : Number.NEGATIVE_INFINITY
      : logAdd(
          alpha[end + extended - 1]!,
          extended > 1 ? alpha[end + extended - 2]! : Number.NEGATIVE_INFINITY,
        );
  return { alpha, beta, extended, frames, label, logLikelihood, time, classes };
}

const CTC_DOC =
  "[batch, time, classes], int32 targets [batch, L], input lengths [batch], target lengths [batch]";

/**
 * ∂(−log p)/∂logProbs [batch, time, classes]: minus the posterior occupancy of each class
 * at each frame, Σ over positions s with l'_s = c of exp(α_t(s) + β_t(s) − logProbs[t, c] − log p).
 * Zero past a sequence's input length, and for a sequence no alignment fits.
 */
export const ctcLossGrad = defineInstruction<CtcAttrs>({
  name: "ctcLossGrad",
  doc: `gradient of ctcLoss with respect to its log-probabilities ${CTC_DOC}`,
  operands: 4,
  attrs: { blank: "int?" },
  differentiable: false,
  canonicalize: canonicalCtc("ctcLossGrad"),
  shape: ([logProbs]) => logProbs!.shape,
  dtype: ([logProbs]) => logProbs!.dtype,
  ref: (inputs, out, { blank }) => {
    const [batch, time, classes] = inputs[0]!.shape as [number, number, number];
    out.data.fill(0);
    for (let b = 0; b < batch; b++) {
      const { alpha, beta, extended, frames, label, logLikelihood } = ctcLattice(
        inputs,
        b,
        blank!,
        "ctcLossGrad",
      );
      if (logLikelihood === Number.NEGATIVE_INFINITY) continue;
      for (let t = 0; t < frames; t++) {
        for (let s = 0; s < extended; s++) {
          const at = (b * time + t) * classes + label(s);
          const occupancy =
            alpha[t * extended + s]! + beta[t * extended + s]! - inputs[0]!.data[at]! - logLikelihood;
          out.data[at] = out.data[at]! - Math.exp(occupancy);
        }
      }
    }
  },
});

/**
 * CTC loss per sequence: −log p(targets | logProbs) [batch] (PyTorch's ctc_loss with
 * reduction "none"); +∞ where the targets cannot fit in the input length. The inputs are
 * log-probabilities over classes (a logSoftmax), blank a class (default 0).
 */
export const ctcLoss = defineInstruction<CtcAttrs>({
  name: "ctcLoss",
  doc: `CTC negative log-likelihood per sequence of log-probabilities ${CTC_DOC}`,
  operands: 4,
  attrs: { blank: "int?" },
  canonicalize: canonicalCtc("ctcLoss"),
  shape: ([logProbs]) => [logProbs!.shape[0]!],
  dtype: ([logProbs]) => logProbs!.dtype,
  ref: (inputs, out, { blank }) => {
    const batch = inputs[0]!.shape[0]!;
    for (let b = 0; b < batch; b++) out.data[b] = -ctcLattice(inputs, b, blank!, "ctcLoss").logLikelihood;
  },
  vjp: (g, { inputs: [logProbs, targets, inputLengths, targetLengths], attrs }) => {
    const grad = ctcLossGrad(logProbs!, targets!, inputLengths!, targetLengths!, attrs);
    const perSequence = broadcastTo(reshape(g, { shape: [logProbs!.shape[0]!, 1, 1] }), logProbs!.shape);
    return [mul(grad, perSequence), undefined, undefined, undefined];
  },
});
