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
import { cmpeq, div, max, mul, neg, sub } from "./scalar-ops.js";
import { logSoftmax, softmax } from "./softmax.js";

/** Losses. */

type CrossEntropyAttrs = {
  ignoreIndex?: number;
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
 * Mean cross-entropy of logits [..., C] against integer targets [...], skipping targets
 * equal to ignoreIndex (default −100, as PyTorch). A target outside [0, C) that is not
 * ignoreIndex is an error in the reference semantics.
 */
export const crossEntropy = defineInstruction<CrossEntropyAttrs>({
  name: "crossEntropy",
  doc: "mean cross-entropy of logits [...,C] and int32 targets [...], skipping ignoreIndex",
  operands: 2,
  attrs: { ignoreIndex: "int?" },
  canonicalize: (inputs, a) => {
    checkOperands(inputs);
    return { ignoreIndex: a.ignoreIndex ?? -100 };
  },
  ref: ([logits, targets], out, { ignoreIndex }) => {
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
      for (let k = 0; k < c; k++) s += Math.exp(logits!.data[r * c + k]! - m);
      total += m + Math.log(s) - logits!.data[r * c + t]!;
      count++;
    }
    out.data[0] = total / Math.max(count, 1);
  },
  decompose: ([logits, targets], { ignoreIndex }) => {
    const c = logits!.shape[logits!.shape.length - 1]!;
    const { count } = validMask(targets!, ignoreIndex!, "float32");
    const checked = checkRange(targets!, { low: 0, high: c, except: ignoreIndex!, what: "target" });
    // ignoreIndex lies outside [0, C) in practice, so its one-hot row is all zeros.
    const picked = sum(mul(logSoftmax(logits!), oneHot(checked, { depth: c })));
    return div(neg(picked), count);
  },
  // (softmax − onehot) / count on counted rows: one fused expression instead of the
  // gradient of log-softmax, a product and two sums.
  vjp: (g, { inputs: [logits, targets], attrs: { ignoreIndex } }) => {
    const c = logits!.shape[logits!.shape.length - 1]!;
    const { valid, count } = validMask(targets!, ignoreIndex!, "float32");
    const rowMask = broadcastTo(reshape(valid, { shape: [...targets!.shape, 1] }), logits!.shape);
    const diff = mul(sub(softmax(logits!), oneHot(targets!, { depth: c })), rowMask);
    return [mul(diff, broadcastTo(div(g, count), logits!.shape)), undefined];
  },
});
