import type { Node } from "../ir/node.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { matmul, transposeLast } from "./matmul.js";
import { expand, reshape } from "./movement.js";
import { add, cmpeq, div, max, min, mul, sub } from "./scalar-ops.js";
import { checkImage, pairAttr } from "./sliding-windows.js";

/**
 * Resizing NCHW images to a given size, as PyTorch's `F.interpolate` with `size`:
 *
 * - nearest: output row o reads input row ⌊o·H/OH⌋ (computed exactly in integers);
 * - bilinear: output row o samples input position s = (o + ½)·H/OH − ½, clamped at 0
 *   (alignCorners false), or s = o·(H − 1)/(OH − 1) (alignCorners true), between rows
 *   ⌊s⌋ and ⌊s⌋ + 1 (the last row repeats at the edge); columns likewise.
 *
 * Both are separable: out = Mh · x · Mwᵀ with an [OH, H] and an [OW, W] matrix built from
 * arange (constants the compiler folds), so resizing runs as two matrix products and its
 * gradient follows. Whole-number nearest upsampling is a broadcast instead.
 */
export type Upsample2dAttrs = {
  size: readonly number[];
  mode?: string;
  alignCorners?: boolean;
};

const MODES = ["nearest", "bilinear"];

/** Source position and weights of output index o along an axis (reference semantics). */
function sourceTaps(o: number, size: number, out: number, mode: string, alignCorners: boolean) {
  if (mode === "nearest") return [[Math.floor((o * size) / out), 1]] as const;
  const s = alignCorners
    ? out > 1
      ? (o * (size - 1)) / (out - 1)
      : 0
    : Math.max(0, ((o + 0.5) * size) / out - 0.5);
  const i0 = Math.min(Math.floor(s), size - 1);
  const i1 = Math.min(i0 + 1, size - 1);
  const l1 = s - i0;
  return [
    [i0, 1 - l1],
    [i1, l1],
  ] as const;
}

/** The [out, size] resampling matrix along one axis, from arange (folded to a constant). */
function resampleMatrix(size: number, out: number, mode: string, alignCorners: boolean): Node {
  const k = reshape(arange({ start: 0, step: 1, length: size, dtype: "int32" }), { shape: [1, size] });
  const o = reshape(arange({ start: 0, step: 1, length: out, dtype: "int32" }), { shape: [out, 1] });
  const f32 = (n: Node) => cast(n, { dtype: "float32" });
  if (mode === "nearest") return f32(cmpeq(k, div(mul(o, size), out)));
  const of = f32(o);
  const s = alignCorners
    ? mul(of, out > 1 ? (size - 1) / (out - 1) : 0)
    : max(sub(mul(add(of, 0.5), size / out), 0.5), 0);
  const i0 = min(cast(s, { dtype: "int32" }), size - 1);
  const i1 = min(add(i0, 1), size - 1);
  const l1 = sub(s, f32(i0));
  return add(mul(f32(cmpeq(k, i0)), sub(1, l1)), mul(f32(cmpeq(k, i1)), l1));
}

export const upsample2d: Instruction<Upsample2dAttrs> = defineInstruction<Upsample2dAttrs>({
  name: "upsample2d",
  doc: "resizes NCHW images to size [OH, OW]: nearest or bilinear (F.interpolate)",
  operands: 1,
  attrs: { size: "ints", mode: "string?", alignCorners: "bool?" },
  canonicalize: ([x], a) => {
    checkImage("upsample2d", x!);
    const mode = a.mode ?? "nearest";
    if (!MODES.includes(mode)) {
      throw new InstructionError("upsample2d", `mode must be ${MODES.join(" or ")}, got "${mode}"`);
    }
    if (mode === "nearest" && a.alignCorners) {
      throw new InstructionError("upsample2d", "alignCorners applies to bilinear mode only");
    }
    return {
      size: pairAttr("upsample2d", "size", a.size, [1, 1], 1),
      mode,
      alignCorners: a.alignCorners ?? false,
    };
  },
  shape: ([x], a) => {
    const [n, c] = checkImage("upsample2d", x!);
    return [n, c, a.size[0]!, a.size[1]!];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x], out, a) => {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [oh, ow] = a.size as [number, number];
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      for (let y = 0; y < oh; y++) {
        const rows = sourceTaps(y, h, oh, a.mode!, a.alignCorners!);
        for (let xo = 0; xo < ow; xo++) {
          const cols = sourceTaps(xo, w, ow, a.mode!, a.alignCorners!);
          let v = 0;
          for (const [i, wi] of rows)
            for (const [j, wj] of cols) v += wi * wj * x!.data[(plane * h + i) * w + j]!;
          out.data[o++] = v;
        }
      }
    }
  },
  decompose: ([x], a) => {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [oh, ow] = a.size as [number, number];
    if (a.mode === "nearest" && oh % h === 0 && ow % w === 0) {
      const [fh, fw] = [oh / h, ow / w];
      const spread = expand(reshape(x!, { shape: [n, c, h, 1, w, 1] }), { shape: [n, c, h, fh, w, fw] });
      return reshape(spread, { shape: [n, c, oh, ow] });
    }
    const rows = matmul(x!, transposeLast(resampleMatrix(w, ow, a.mode!, a.alignCorners!)));
    return matmul(resampleMatrix(h, oh, a.mode!, a.alignCorners!), rows);
  },
});
