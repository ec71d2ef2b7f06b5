import type { Node } from "../ir/node.js";
import { fmt } from "../ir/shape.js";
import { cast } from "./cast.js";
import { col2im } from "./convolution.js";
import { arange, full } from "./creation.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { matmul, transposeLast } from "./matmul.js";
import { concat, expand, pad, reshape } from "./movement.js";
import { add, cmpeq, cmplt, div, max, min, mul, sub } from "./scalar-ops.js";
import {
  canonicalWindow,
  checkImage,
  cropImage,
  padImage,
  pairAttr,
  type Window2d,
  type WindowAttrs,
  windowAttrs,
  windowOf,
  windowOutput,
  windowTaps,
} from "./sliding-windows.js";
import { mean } from "./statistics.js";
import { where } from "./where.js";

/**
 * Pooling over NCHW images with PyTorch's semantics (`F.max_pool2d`, `F.avg_pool2d`,
 * `F.adaptive_avg_pool2d`; floor mode). Max and average pooling decompose into their
 * window taps, strided views of the padded image combined elementwise, so a pooling layer
 * is one fused kernel that reads each input element once per window covering it.
 */

type PoolAttrs = WindowAttrs;
type AvgPoolAttrs = Omit<WindowAttrs, "dilation"> & { countIncludePad?: boolean };

function canonicalPool(name: string, a: WindowAttrs): Window2d {
  if (a.kernel === undefined) throw new InstructionError(name, 'missing attribute "kernel" (ints)');
  const kernel = pairAttr(name, "kernel", a.kernel, [1, 1], 1);
  const win = canonicalWindow(name, a, kernel, kernel);
  for (const axis of [0, 1] as const) {
    const reach = win.dilation[axis] * (kernel[axis] - 1) + 1;
    if (2 * win.padding[axis] > reach) {
      throw new InstructionError(
        name,
        `padding [${win.padding}] must be at most half the window (${reach} along axis ${axis + 2})`,
      );
    }
  }
  return win;
}

/** Whether a window tiles the image: stride = kernel and no dilation, so each pixel is in at most one window. */
function tiles(win: Window2d): boolean {
  return (
    win.stride[0] === win.kernel[0] && win.stride[1] === win.kernel[1] && win.dilation.every((d) => d === 1)
  );
}

/**
 * Gradients of windows that tile the image: `values` [N, C, OH, KH, OW, KW] (tap (kh, kw) of
 * window (oh, ow)) is the padded image's top-left OH·KH × OW·KW corner as it stands, so the
 * image gradient is that view padded out to the image (rows and columns no window reached
 * get zero) with the padding cropped off.
 */
function foldTiledTaps(values: Node, win: Window2d, size: readonly [number, number]): Node {
  const [n, c, oh, kh, ow, kw] = values.shape as [number, number, number, number, number, number];
  const corner = reshape(values, { shape: [n, c, oh * kh, ow * kw] });
  const missing = [size[0] + 2 * win.padding[0] - oh * kh, size[1] + 2 * win.padding[1] - ow * kw];
  const filled = missing.some((m) => m > 0)
    ? pad(corner, { before: [0, 0, 0, 0], after: [0, 0, missing[0]!, missing[1]!] })
    : corner;
  return cropImage(filled, win.padding);
}

/** Tap gradients [N, C, OH, OW] each, in window order, added into the image where their taps read (col2im). */
function foldTaps(taps: readonly Node[], win: Window2d, size: readonly [number, number]): Node {
  const [n, c, oh, ow] = taps[0]!.shape as [number, number, number, number];
  const unit = taps.map((t) => reshape(t, { shape: [n, c, 1, oh * ow] }));
  const cols = reshape(unit.length === 1 ? unit[0]! : concat(...unit, { axis: 2 }), {
    shape: [n, c * unit.length, oh * ow],
  });
  return col2im(cols, { ...windowAttrs(win), outputSize: [...size] });
}

/** [N, C, OH, OW] → [N, C, OH, 1, OW, 1], to broadcast over the taps of tiled windows. */
function perWindow(x: Node): Node {
  const [n, c, oh, ow] = x.shape as [number, number, number, number];
  return reshape(x, { shape: [n, c, oh, 1, ow, 1] });
}

/**
 * Tap values [N, C, OH, OW] each (window order) interleaved into [N, C, OH, KH, OW, KW]: each
 * tap is written once, into its place (two concats), and the first-maximum index they share
 * is computed once.
 */
function interleave(taps: readonly Node[], win: Window2d): Node {
  const [kh, kw] = win.kernel;
  const rows = Array.from({ length: kh }, (_, i) => {
    const row = taps.slice(i * kw, (i + 1) * kw).map(perWindow);
    return row.length === 1 ? row[0]! : concat(...row, { axis: 5 });
  });
  return rows.length === 1 ? rows[0]! : concat(...rows, { axis: 3 });
}

/**
 * maxPool2d(x [N, C, H, W]) → [N, C, OH, OW]: the maximum of each window (padding never
 * wins). The gradient goes to the first maximum of each window in row-major order, as in
 * PyTorch.
 */
export const maxPool2d: Instruction<PoolAttrs> = defineInstruction<PoolAttrs>({
  name: "maxPool2d",
  doc: "maximum over each window of an NCHW image (kernel, stride = kernel, padding, dilation)",
  operands: 1,
  attrs: { kernel: "ints", stride: "ints?", padding: "ints?", dilation: "ints?" },
  canonicalize: ([x], a) => {
    checkImage("maxPool2d", x!);
    return windowAttrs(canonicalPool("maxPool2d", a));
  },
  shape: ([x], a) => {
    const [n, c, h, w] = checkImage("maxPool2d", x!);
    return [n, c, ...windowOutput("maxPool2d", h, w, windowOf(a))];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x], out, a) => {
    const win = windowOf(a);
    forEachWindow(x!.shape, out.shape, win, (o, reads) => {
      let best = Number.NEGATIVE_INFINITY;
      for (const i of reads) if (x!.data[i]! > best || Number.isNaN(x!.data[i]!)) best = x!.data[i]!;
      out.data[o] = best;
    });
  },
  decompose: ([x], a) => {
    const win = windowOf(a);
    const taps = windowTaps(padImage(x!, win.padding, Number.NEGATIVE_INFINITY), win, outputOf(x!, win));
    return taps.reduce((m, t) => max(m, t));
  },
  vjp: (g, { inputs: [x], attrs }) => [
    maxPool2dGrad(g, maxPool2dArgmax(x!, attrs), { ...attrs, outputSize: x!.shape.slice(2) }),
  ],
});

/**
 * Visits each window of an N·C-plane image batch in row-major order with its taps in
 * row-major order (kh, then kw): the window's flat output index and, per tap, the flat
 * index it reads in x (−1 in the padding). Gradients add in this order, tap by tap.
 */
function forEachWindowTaps(
  xShape: readonly number[],
  [oh, ow]: readonly [number, number],
  win: Window2d,
  visit: (out: number, reads: number[]) => void,
): void {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const reads: number[] = [];
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        reads.length = 0;
        for (let i = 0; i < win.kernel[0]; i++) {
          const iy = y * win.stride[0] - win.padding[0] + i * win.dilation[0];
          for (let j = 0; j < win.kernel[1]; j++) {
            const ix = xo * win.stride[1] - win.padding[1] + j * win.dilation[1];
            reads.push(iy >= 0 && iy < h && ix >= 0 && ix < w ? (plane * h + iy) * w + ix : -1);
          }
        }
        visit(o++, reads);
      }
    }
  }
}

/**
 * maxPool2dArgmax(x [N, C, H, W]) → int32 [N, C, OH, OW]: which tap of each window (row-major,
 * kh·KW + kw) maxPool2d's gradient goes to: the first equal to the window's maximum, taps in
 * the padding reading −∞; KH·KW (no tap) when the maximum is NaN. PyTorch's pooling indices,
 * as positions in the window.
 */
export const maxPool2dArgmax: Instruction<PoolAttrs> = defineInstruction<PoolAttrs>({
  name: "maxPool2dArgmax",
  doc: "int32 index of the first maximum tap of each window (row-major in the window; KH·KW for NaN)",
  operands: 1,
  attrs: { kernel: "ints", stride: "ints?", padding: "ints?", dilation: "ints?" },
  differentiable: false,
  canonicalize: ([x], a) => {
    checkImage("maxPool2dArgmax", x!);
    return windowAttrs(canonicalPool("maxPool2dArgmax", a));
  },
  shape: ([x], a) => {
    const [n, c, h, w] = checkImage("maxPool2dArgmax", x!);
    return [n, c, ...windowOutput("maxPool2dArgmax", h, w, windowOf(a))];
  },
  dtype: () => "int32",
  ref: ([x], out, a) => {
    const win = windowOf(a);
    forEachWindowTaps(x!.shape, [out.shape[2]!, out.shape[3]!], win, (o, reads) => {
      const value = (i: number) => (i < 0 ? Number.NEGATIVE_INFINITY : x!.data[i]!);
      const best = reads.reduce((m, i) => Math.max(m, value(i)), Number.NEGATIVE_INFINITY);
      const first = reads.findIndex((i) => value(i) === best);
      out.data[o] = first < 0 ? reads.length : first;
    });
  },
  decompose: ([x], a) => {
    const win = windowOf(a);
    const taps = windowTaps(padImage(x!, win.padding, Number.NEGATIVE_INFINITY), win, outputOf(x!, win));
    const best = taps.reduce((m, t) => max(m, t));
    // The least index among the taps equal to the maximum (a minimum of selects, which
    // compiles without branches, unlike a chain of them).
    const index = (t: number) => full({ value: t, shape: [], dtype: "int32" });
    return taps.map((tap, t) => where(cmpeq(tap, best), index(t), taps.length)).reduce((a, b) => min(a, b));
  },
});

type PoolGradAttrs = PoolAttrs & { outputSize?: readonly number[] };

/**
 * maxPool2dGrad(g [N, C, OH, OW], argmax int32 [N, C, OH, OW]) → [N, C, H, W] for outputSize
 * [H, W]: each window's gradient added into the image where its tap `argmax` read (nothing
 * for a tap in the padding or an index of KH·KW): maxPool2d's gradient, linear in g.
 */
export const maxPool2dGrad: Instruction<PoolGradAttrs> = defineInstruction<PoolGradAttrs>({
  name: "maxPool2dGrad",
  doc: "maxPool2d's gradient: g of each window added where its argmax tap read (outputSize [H, W])",
  operands: 2,
  attrs: { kernel: "ints", stride: "ints?", padding: "ints?", dilation: "ints?", outputSize: "ints" },
  canonicalize: ([g, argmax], a) => {
    const win = canonicalPool("maxPool2dGrad", a);
    const size = pairAttr("maxPool2dGrad", "outputSize", a.outputSize, [1, 1], 1);
    const [n, c] = checkImage("maxPool2dGrad", g!, "g");
    const expected = [n, c, ...windowOutput("maxPool2dGrad", size[0], size[1], win)];
    if (
      argmax!.dtype !== "int32" ||
      fmt(argmax!.shape) !== fmt(expected) ||
      fmt(g!.shape) !== fmt(expected)
    ) {
      throw new InstructionError(
        "maxPool2dGrad",
        `g and int32 argmax must both be ${fmt(expected)} for a ${win.kernel.join("×")} window over ${size.join("×")}, got ${fmt(g!.shape)} and ${argmax!.dtype} ${fmt(argmax!.shape)}`,
      );
    }
    return { ...windowAttrs(win), outputSize: size };
  },
  shape: ([g], a) => [g!.shape[0]!, g!.shape[1]!, a.outputSize![0]!, a.outputSize![1]!],
  dtype: ([g]) => g!.dtype,
  ref: ([g, argmax], out, a) => {
    const win = windowOf(a);
    const kk = win.kernel[0] * win.kernel[1];
    out.data.fill(0);
    for (let t = 0; t < kk; t++) {
      forEachWindowTaps(out.shape, [g!.shape[2]!, g!.shape[3]!], win, (o, reads) => {
        if (argmax!.data[o] === t && reads[t]! >= 0) out.data[reads[t]!]! += g!.data[o]!;
      });
    }
  },
  decompose: ([g, argmax], a) => {
    const win = windowOf(a);
    const size = [a.outputSize![0]!, a.outputSize![1]!] as const;
    const kk = win.kernel[0] * win.kernel[1];
    const tapGrads = Array.from({ length: kk }, (_, t) => where(cmpeq(argmax!, t), g!, 0));
    return tiles(win) ? foldTiledTaps(interleave(tapGrads, win), win, size) : foldTaps(tapGrads, win, size);
  },
});

function outputOf(x: Node, win: Window2d): [number, number] {
  return windowOutput("pooling", x.shape[2]!, x.shape[3]!, win);
}

/**
 * Visits each output element of a pooling with the flat indices its window reads in x
 * (inside the image only).
 */
function forEachWindow(
  xShape: readonly number[],
  outShape: readonly number[],
  win: Window2d,
  visit: (out: number, reads: number[], windowSize: number) => void,
): void {
  const [n, c, h, w] = xShape as [number, number, number, number];
  const [, , oh, ow] = outShape as [number, number, number, number];
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const reads: number[] = [];
        for (let i = 0; i < win.kernel[0]; i++) {
          const iy = y * win.stride[0] - win.padding[0] + i * win.dilation[0];
          for (let j = 0; j < win.kernel[1]; j++) {
            const ix = xo * win.stride[1] - win.padding[1] + j * win.dilation[1];
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) reads.push((plane * h + iy) * w + ix);
          }
        }
        visit(o++, reads, win.kernel[0] * win.kernel[1]);
      }
    }
  }
}

/** How many taps of each window fall inside the image: [OH, OW] (a constant the compiler folds). */
function insideCounts(h: number, w: number, win: Window2d): Node {
  const ones = full({ value: 1, shape: [1, 1, h, w], dtype: "float32" });
  const out = windowOutput("avgPool2d", h, w, win);
  const counts = windowTaps(padImage(ones, win.padding), win, out).reduce((s, t) => add(s, t));
  return reshape(counts, { shape: out });
}

function avgDivisor(x: Node, win: Window2d, countIncludePad: boolean): Node | number {
  const kk = win.kernel[0] * win.kernel[1];
  const padded = win.padding[0] > 0 || win.padding[1] > 0;
  return countIncludePad || !padded ? kk : insideCounts(x.shape[2]!, x.shape[3]!, win);
}

function avgWindow(name: string, a: AvgPoolAttrs): Window2d {
  return canonicalPool(name, { ...a, dilation: [1, 1] });
}

/**
 * avgPool2d(x [N, C, H, W]) → [N, C, OH, OW]: the mean of each window. With padding, the
 * divisor counts the zero padding (countIncludePad, PyTorch's default) or only the taps
 * inside the image.
 */
export const avgPool2d: Instruction<AvgPoolAttrs> = defineInstruction<AvgPoolAttrs>({
  name: "avgPool2d",
  doc: "mean over each window of an NCHW image (kernel, stride = kernel, padding, countIncludePad)",
  operands: 1,
  attrs: { kernel: "ints", stride: "ints?", padding: "ints?", countIncludePad: "bool?" },
  canonicalize: ([x], a) => {
    checkImage("avgPool2d", x!);
    const { kernel, stride, padding } = windowAttrs(avgWindow("avgPool2d", a));
    return { kernel, stride, padding, countIncludePad: a.countIncludePad ?? true };
  },
  shape: ([x], a) => {
    const [n, c, h, w] = checkImage("avgPool2d", x!);
    return [n, c, ...windowOutput("avgPool2d", h, w, avgWindow("avgPool2d", a))];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x], out, a) => {
    forEachWindow(x!.shape, out.shape, avgWindow("avgPool2d", a), (o, reads, size) => {
      let s = 0;
      for (const i of reads) s += x!.data[i]!;
      out.data[o] = s / (a.countIncludePad ? size : reads.length);
    });
  },
  decompose: ([x], a) => {
    const win = avgWindow("avgPool2d", a);
    const taps = windowTaps(padImage(x!, win.padding), win, outputOf(x!, win));
    return div(
      taps.reduce((s, t) => add(s, t)),
      avgDivisor(x!, win, a.countIncludePad!),
    );
  },
  vjp: (g, { inputs: [x], attrs }) => {
    const win = avgWindow("avgPool2d", attrs);
    const share = div(g, avgDivisor(x!, win, attrs.countIncludePad!));
    const size = [x!.shape[2]!, x!.shape[3]!] as const;
    if (tiles(win)) {
      const [n, c, oh, ow] = g.shape as [number, number, number, number];
      const spread = expand(perWindow(share), { shape: [n, c, oh, win.kernel[0], ow, win.kernel[1]] });
      return [foldTiledTaps(spread, win, size)];
    }
    return [
      foldTaps(
        Array.from({ length: win.kernel[0] * win.kernel[1] }, () => share),
        win,
        size,
      ),
    ];
  },
});

/** PyTorch's adaptive bins: bin i of `out` over `size` covers [⌊i·size/out⌋, ⌈(i+1)·size/out⌉). */
function adaptiveBin(i: number, size: number, out: number): [number, number] {
  return [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
}

/**
 * [out, size] averaging matrix of adaptive pooling along one axis, built from arange so the
 * compiler folds it into a constant: row i is 1/|bin i| on bin i.
 */
function adaptiveMatrix(size: number, out: number): Node {
  const i = reshape(arange({ start: 0, step: 1, length: out, dtype: "int32" }), { shape: [out, 1] });
  const k = reshape(arange({ start: 0, step: 1, length: size, dtype: "int32" }), { shape: [1, size] });
  const start = div(mul(i, size), out);
  const end = div(add(mul(add(i, 1), size), out - 1), out);
  const inside = mul(
    cast(cmplt(k, end), { dtype: "float32" }),
    sub(1, cast(cmplt(k, start), { dtype: "float32" })),
  );
  return div(inside, cast(sub(end, start), { dtype: "float32" }));
}

/**
 * adaptiveAvgPool2d(x [N, C, H, W]) → [N, C, OH, OW] for outputSize [OH, OW]: the mean over
 * PyTorch's adaptive bins (bins tile the image; they overlap when the size does not divide).
 */
export const adaptiveAvgPool2d: Instruction<{ outputSize: readonly number[] }> = defineInstruction<{
  outputSize: readonly number[];
}>({
  name: "adaptiveAvgPool2d",
  doc: "mean over PyTorch's adaptive bins, to a given output size",
  operands: 1,
  attrs: { outputSize: "ints" },
  canonicalize: ([x], a) => {
    checkImage("adaptiveAvgPool2d", x!);
    return { outputSize: pairAttr("adaptiveAvgPool2d", "outputSize", a.outputSize, [1, 1], 1) };
  },
  shape: ([x], a) => {
    const [n, c] = checkImage("adaptiveAvgPool2d", x!);
    return [n, c, a.outputSize[0]!, a.outputSize[1]!];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x], out, a) => {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [oh, ow] = a.outputSize as [number, number];
    let o = 0;
    for (let plane = 0; plane < n * c; plane++) {
      for (let y = 0; y < oh; y++) {
        const [y0, y1] = adaptiveBin(y, h, oh);
        for (let xo = 0; xo < ow; xo++) {
          const [x0, x1] = adaptiveBin(xo, w, ow);
          let s = 0;
          for (let i = y0; i < y1; i++) for (let j = x0; j < x1; j++) s += x!.data[(plane * h + i) * w + j]!;
          out.data[o++] = s / ((y1 - y0) * (x1 - x0));
        }
      }
    }
  },
  decompose: ([x], a) => {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const [oh, ow] = a.outputSize as [number, number];
    if (oh === 1 && ow === 1) return reshape(mean(x!, { axes: [2, 3] }), { shape: [n, c, 1, 1] });
    if (h % oh === 0 && w % ow === 0) return avgPool2d(x!, { kernel: [h / oh, w / ow] });
    const rows = matmul(x!, transposeLast(adaptiveMatrix(w, ow)));
    return matmul(adaptiveMatrix(h, oh), rows);
  },
});
