import type { Node } from "../ir/node.js";
import { fmt } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";
import { reshape } from "./movement.js";
import { forEachLane } from "./ref-loops.js";
import { add, div, mul, sqrt, sub } from "./scalar-ops.js";
import { mean } from "./statistics.js";

/** Layer norm and RMS norm over the last axis, with a learned scale (and shift for layer norm). */

type NormAttrs = {
  eps?: number;
};

function checkNormOperands(name: string, [x, ...params]: readonly TensorMeta[]) {
  checkDType(name, x!.dtype, "float");
  const last = x!.shape[x!.shape.length - 1];
  if (last === undefined) throw new InstructionError(name, "needs at least one axis to normalise");
  for (const p of params) {
    if (p.shape.length !== 1 || p.shape[0] !== last) {
      throw new InstructionError(
        name,
        `parameters must have shape [${last}] for input ${fmt(x!.shape)}, got ${fmt(p.shape)}`,
      );
    }
    if (p.dtype !== x!.dtype)
      throw new InstructionError(name, `parameter dtype ${p.dtype} differs from ${x!.dtype}`);
  }
}

function canonicalEps(name: string, defaultEps: number) {
  return (inputs: readonly TensorMeta[], a: NormAttrs) => {
    checkNormOperands(name, inputs);
    const eps = a.eps ?? defaultEps;
    if (!(eps >= 0)) throw new InstructionError(name, `eps must be ≥ 0, got ${eps}`);
    return { eps };
  };
}

/** Mean over the last axis, kept and broadcast back over x. */
function lastAxisMean(x: Node): Node {
  return broadcastTo(mean(x, { axes: [-1], keepdims: true }), x.shape);
}

export const layerNorm = defineInstruction<NormAttrs>({
  name: "layerNorm",
  doc: "(x − mean) / √(var + eps) · weight + bias over the last axis",
  operands: 3,
  attrs: { eps: "float?" },
  canonicalize: canonicalEps("layerNorm", 1e-5),
  ref: ([x, w, b], out, { eps }) => {
    forEachLane(x!.shape, x!.shape.length - 1, (start, _stride, n) => {
      let m = 0;
      for (let i = 0; i < n; i++) m += x!.data[start + i]! / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (x!.data[start + i]! - m) ** 2 / n;
      const inv = 1 / Math.sqrt(v + eps!);
      for (let i = 0; i < n; i++)
        out.data[start + i] = (x!.data[start + i]! - m) * inv * w!.data[i]! + b!.data[i]!;
    });
  },
  decompose: ([x, w, b], { eps }) => {
    const centred = sub(x!, lastAxisMean(x!));
    const std = sqrt(add(lastAxisMean(mul(centred, centred)), eps!));
    return add(mul(div(centred, std), w!), b!);
  },
});

export const rmsNorm = defineInstruction<NormAttrs>({
  name: "rmsNorm",
  doc: "x / √(mean(x²) + eps) · weight over the last axis",
  operands: 2,
  attrs: { eps: "float?" },
  canonicalize: canonicalEps("rmsNorm", 1e-6),
  ref: ([x, w], out, { eps }) => {
    forEachLane(x!.shape, x!.shape.length - 1, (start, _stride, n) => {
      let ms = 0;
      for (let i = 0; i < n; i++) ms += x!.data[start + i]! ** 2 / n;
      const inv = 1 / Math.sqrt(ms + eps!);
      for (let i = 0; i < n; i++) out.data[start + i] = x!.data[start + i]! * inv * w!.data[i]!;
    });
  },
  decompose: ([x, w], { eps }) => mul(div(x!, sqrt(add(lastAxisMean(mul(x!, x!)), eps!))), w!),
});

/**
 * Batch norm over the channel axis (axis 1) of x [N, C, ...], given each channel's mean
 * and variance [C] and its learned scale and shift: (x − mean) / √(variance + eps) ·
 * weight + bias. In training the statistics are the batch's own (mean and population
 * variance of x over every axis but 1, so the gradient flows through them, as in PyTorch);
 * in evaluation they are the running averages.
 */
export const batchNorm = defineInstruction<NormAttrs>({
  name: "batchNorm",
  doc: "(x − mean) / √(variance + eps) · weight + bias per channel (axis 1); statistics are operands",
  operands: 5,
  attrs: { eps: "float?" },
  canonicalize: (inputs, a) => {
    const [x, ...params] = inputs;
    checkDType("batchNorm", x!.dtype, "float");
    const channels = x!.shape[1];
    if (channels === undefined) {
      throw new InstructionError(
        "batchNorm",
        `x needs a channel axis ([batch, channels, ...]), got ${fmt(x!.shape)}`,
      );
    }
    const names = ["mean", "variance", "weight", "bias"];
    params.forEach((p, i) => {
      if (p.shape.length !== 1 || p.shape[0] !== channels || p.dtype !== x!.dtype) {
        throw new InstructionError(
          "batchNorm",
          `${names[i]} must be ${x!.dtype} [${channels}] for x ${fmt(x!.shape)}, got ${p.dtype} ${fmt(p.shape)}`,
        );
      }
    });
    const eps = a.eps ?? 1e-5;
    if (!(eps >= 0)) throw new InstructionError("batchNorm", `eps must be ≥ 0, got ${eps}`);
    return { eps };
  },
  ref: ([x, m, v, w, b], out, { eps }) => {
    const channels = x!.shape[1]!;
    const inner = x!.shape.slice(2).reduce((p, d) => p * d, 1);
    for (let i = 0; i < x!.data.length; i++) {
      const c = Math.floor(i / inner) % channels;
      const inv = 1 / Math.sqrt(v!.data[c]! + eps!);
      out.data[i] = (x!.data[i]! - m!.data[c]!) * inv * w!.data[c]! + b!.data[c]!;
    }
  },
  decompose: ([x, m, v, w, b], { eps }) => {
    const perChannel = [x!.shape[1]!, ...x!.shape.slice(2).map(() => 1)];
    const scale = div(w!, sqrt(add(v!, eps!)));
    const shift = sub(b!, mul(m!, scale));
    return add(mul(x!, reshape(scale, { shape: perChannel })), reshape(shift, { shape: perChannel }));
  },
});
