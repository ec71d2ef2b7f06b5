import type { Node } from "../ir/node.js";
import { fmt, sameShape } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { cast } from "./cast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { checkRange } from "./indexing.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";
import { oneHot } from "./lookup.js";
import { reshape } from "./movement.js";
import { sum } from "./reduce.js";
import { add, cmpeq, div, max, mul, neg, sub } from "./scalar-ops.js";
import { logSoftmax, softmax } from "./softmax.js";

/** Losses. */

type CrossEntropyAttrs = {
  ignoreIndex?: number;
  labelSmoothing?: number;
};

function checkOperands([logits, targets]: readonly TensorMeta[]) {
  checkDType("crossEntropy", logits!.dtype, "float");
  if (targets!.dtype !== "int32") {
    throw new InstructionError("crossEntropy", `targets must be int32 class ids, got ${targets!.dtype}`);
  }
  if (logits!.shape.length < 1 || !sameShape(logits!.shape.slice(0, -1), targets!.shape)) {
    throw new InstructionError(
      "crossEntropy",
      `logits ${fmt(logits!.shape)} need targets of shape ${fmt(logits!.shape.slice(0, -1))}, got ${fmt(targets!.shape)}`,
    );
  }
}

/** 1 where a target counts, 0 where it equals ignoreIndex; and the number that count (at least 1). */
function validMask(targets: Node, ignoreIndex: number, dtype: "float32") {
  const valid = sub(1, cast(cmpeq(targets, ignoreIndex), { dtype }));
  const count = max(sum(valid), 1);
  return { valid, count };
}

/**
 * The distribution each row is scored against, [..., C]: the one-hot target, or with label
 * smoothing ε, (1 − ε)·onehot + ε/C on counted rows (ignored rows are masked by the callers).
 */
function targetDistribution(targets: Node, c: number, ignoreIndex: number, eps: number): Node {
  const hot = oneHot(targets, { depth: c });
  // An ignoreIndex outside [0, C) (PyTorch's −100) has an all-zero one-hot row already; one
  // inside (a padding id) must be masked like the smoothed rows.
  const ignoredHot = ignoreIndex >= 0 && ignoreIndex < c;
  if (eps === 0 && !ignoredHot) return hot;
  const distribution = eps === 0 ? hot : add(mul(hot, 1 - eps), eps / c);
  // Rows of ignored targets stay zero.
  const valid = sub(1, cast(cmpeq(targets, ignoreIndex), { dtype: "float32" }));
  return mul(distribution, broadcastTo(reshape(valid, { shape: [...targets.shape, 1] }), hot.shape));
}

/**
 * Mean cross-entropy of logits [..., C] against integer targets [...], skipping targets
 * equal to ignoreIndex (default −100, as PyTorch). A target outside [0, C) that is not
 * ignoreIndex is an error in the reference semantics. With labelSmoothing ε (default 0,
 * PyTorch's `label_smoothing`), the target distribution is (1 − ε)·onehot + ε/C.
 */
export const crossEntropy = defineInstruction<CrossEntropyAttrs>({
  name: "crossEntropy",
  doc: "mean cross-entropy of logits [...,C] and int32 targets [...], skipping ignoreIndex",
  operands: 2,
  attrs: { ignoreIndex: "int?", labelSmoothing: "float?" },
  canonicalize: (inputs, a) => {
    checkOperands(inputs);
    const labelSmoothing = a.labelSmoothing ?? 0;
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new InstructionError("crossEntropy", `labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
    }
    return { ignoreIndex: a.ignoreIndex ?? -100, labelSmoothing };
  },
  ref: ([logits, targets], out, { ignoreIndex, labelSmoothing }) => {
    const eps = labelSmoothing!;
    const c = logits!.shape[logits!.shape.length - 1]!;
    let total = 0;
    let count = 0;
    for (let r = 0; r < targets!.data.length; r++) {
      const t = targets!.data[r]!;
      if (t === ignoreIndex) continue;
      if (t < 0 || t >= c)
        throw new InstructionError("crossEntropy", `target ${t} is out of range for ${c} classes`);
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < c; k++) m = Math.max(m, logits!.data[r * c + k]!);
      let s = 0;
      let mean = 0;
      for (let k = 0; k < c; k++) {
        s += Math.exp(logits!.data[r * c + k]! - m);
        mean += logits!.data[r * c + k]! / c;
      }
      // −Σ_k target_k·log p_k with log p_k = logit_k − logsumexp.
      total += m + Math.log(s) - (1 - eps) * logits!.data[r * c + t]! - eps * mean;
      count++;
    }
    out.data[0] = total / Math.max(count, 1);
  },
  decompose: ([logits, targets], { ignoreIndex, labelSmoothing }) => {
    const c = logits!.shape[logits!.shape.length - 1]!;
    const { count } = validMask(targets!, ignoreIndex!, "float32");
    const checked = checkRange(targets!, { low: 0, high: c, except: ignoreIndex!, what: "target" });
    const picked = sum(
      mul(logSoftmax(logits!), targetDistribution(checked, c, ignoreIndex!, labelSmoothing!)),
    );
    return div(neg(picked), count);
  },
  // (softmax − onehot) / count on counted rows: one fused expression instead of the
  // gradient of log-softmax, a product and two sums.
  vjp: (g, { inputs: [logits, targets], attrs: { ignoreIndex, labelSmoothing } }) => {
    const c = logits!.shape[logits!.shape.length - 1]!;
    const { valid, count } = validMask(targets!, ignoreIndex!, "float32");
    const rowMask = broadcastTo(reshape(valid, { shape: [...targets!.shape, 1] }), logits!.shape);
    const target = targetDistribution(targets!, c, ignoreIndex!, labelSmoothing!);
    const diff = mul(sub(softmax(logits!), target), rowMask);
    return [mul(diff, broadcastTo(div(g, count), logits!.shape)), undefined];
  },
});
