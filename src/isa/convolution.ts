import type { Node } from "../ir/node.js";
import { fmt } from "../ir/shape.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type TensorMeta } from "./instruction.js";
import { matmul, transposeLast } from "./matmul.js";
import { concat, reshape, slice } from "./movement.js";
import { add } from "./scalar-ops.js";
import {
  canonicalWindow,
  checkImage,
  cropImage,
  padImage,
  pairAttr,
  placeTap,
  WINDOW_ATTR_SCHEMA,
  type Window2d,
  type WindowAttrs,
  windowAttrs,
  windowOf,
  windowOutput,
  windowTaps,
} from "./sliding-windows.js";

/**
 * Convolutions over NCHW images, with PyTorch's semantics and weight layouts
 * (`F.conv2d`, `F.conv_transpose2d`, `F.unfold`, `F.fold`).
 *
 * Both convolutions are matrix products around two data movements: `im2col` copies every
 * window of an image into a column, and `col2im` adds columns back into an image
 * (overlapping windows sum). conv2d = W · im2col(x); convTranspose2d = col2im(Wᵀ · x).
 * Their gradients follow from those of matmul, im2col and col2im (each the other's
 * adjoint), so a target makes convolutions fast by having fast matrix products and, if it
 * likes, kernels of its own for im2col and col2im; their decompositions (strided slices,
 * spread-and-pad) run everywhere else.
 */

type Im2colAttrs = WindowAttrs;
type Col2imAttrs = WindowAttrs & { outputSize?: readonly number[] };

function checkKernel(name: string, a: WindowAttrs): [number, number] {
  if (a.kernel === undefined) throw new InstructionError(name, 'missing attribute "kernel" (ints)');
  return pairAttr(name, "kernel", a.kernel, [1, 1], 1);
}

/**
 * im2col(x [N, C, H, W]) → [N, C·KH·KW, OH·OW]: column l holds the window at output position
 * l (row-major over OH × OW); row (c·KH + kh)·KW + kw holds its tap (kh, kw) of channel c.
 * Padding reads as zero. PyTorch's `F.unfold`.
 */
export const im2col: Instruction<Im2colAttrs> = defineInstruction<Im2colAttrs>({
  name: "im2col",
  doc: "every window of an NCHW image as a column: [N, C·KH·KW, OH·OW] (F.unfold)",
  operands: 1,
  attrs: { ...WINDOW_ATTR_SCHEMA, kernel: "ints" },
  canonicalize: ([x], a) => {
    checkImage("im2col", x!);
    return windowAttrs(canonicalWindow("im2col", a, checkKernel("im2col", a)));
  },
  shape: ([x], a) => {
    const [n, c, h, w] = checkImage("im2col", x!);
    const win = windowOf(a);
    const [oh, ow] = windowOutput("im2col", h, w, win);
    return [n, c * win.kernel[0] * win.kernel[1], oh * ow];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x], out, a) => {
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const win = windowOf(a);
    const [oh, ow] = windowOutput("im2col", h, w, win);
    forEachWindowTap(n, c, [h, w], [oh, ow], win, (src, dst) => {
      out.data[dst] = src < 0 ? 0 : x!.data[src]!;
    });
  },
  decompose: ([x], a) => {
    const win = windowOf(a);
    const [n, c, h, w] = x!.shape as [number, number, number, number];
    const out = windowOutput("im2col", h, w, win);
    const taps = windowTaps(padImage(x!, win.padding), win, out).map((t) =>
      reshape(t, { shape: [n, c, 1, out[0] * out[1]] }),
    );
    const stacked = taps.length === 1 ? taps[0]! : concat(...taps, { axis: 2 });
    return reshape(stacked, { shape: [n, c * taps.length, out[0] * out[1]] });
  },
  vjp: (g, { inputs: [x], attrs }) => [col2im(g, { ...attrs, outputSize: x!.shape.slice(2) })],
});

/**
 * col2im(cols [N, C·KH·KW, L]) → [N, C, H, W] for outputSize [H, W]: the adjoint of im2col,
 * each column's taps added into the image where that window read them (overlaps sum,
 * taps in the padding are dropped). PyTorch's `F.fold`.
 */
export const col2im: Instruction<Col2imAttrs> = defineInstruction<Col2imAttrs>({
  name: "col2im",
  doc: "columns of windows added back into an NCHW image (F.fold; im2col's adjoint)",
  operands: 1,
  attrs: { ...WINDOW_ATTR_SCHEMA, kernel: "ints", outputSize: "ints" },
  canonicalize: ([cols], a) => {
    const win = canonicalWindow("col2im", a, checkKernel("col2im", a));
    const size = pairAttr("col2im", "outputSize", a.outputSize, [1, 1], 1);
    checkColumns(cols!, win, size);
    return { ...windowAttrs(win), outputSize: size };
  },
  shape: ([cols], a) => {
    const kk = a.kernel![0]! * a.kernel![1]!;
    return [cols!.shape[0]!, cols!.shape[1]! / kk, a.outputSize![0]!, a.outputSize![1]!];
  },
  dtype: ([cols]) => cols!.dtype,
  ref: ([cols], out, a) => {
    const [n, c, h, w] = out.shape as [number, number, number, number];
    const win = windowOf(a);
    const [oh, ow] = windowOutput("col2im", h, w, win);
    out.data.fill(0);
    forEachWindowTap(n, c, [h, w], [oh, ow], win, (dst, src) => {
      if (dst >= 0) out.data[dst]! += cols!.data[src]!;
    });
  },
  decompose: ([cols], a) => {
    const win = windowOf(a);
    const [h, w] = a.outputSize as [number, number];
    const [oh, ow] = windowOutput("col2im", h, w, win);
    const n = cols!.shape[0]!;
    const kk = win.kernel[0] * win.kernel[1];
    const c = cols!.shape[1]! / kk;
    const perTap = reshape(cols!, { shape: [n, c, kk, oh, ow] });
    const padded = [h + 2 * win.padding[0], w + 2 * win.padding[1]] as const;
    let sum: Node | undefined;
    for (let kh = 0; kh < win.kernel[0]; kh++) {
      for (let kw = 0; kw < win.kernel[1]; kw++) {
        const t = kh * win.kernel[1] + kw;
        const tap = reshape(slice(perTap, { starts: [0, 0, t, 0, 0], ends: [n, c, t + 1, oh, ow] }), {
          shape: [n, c, oh, ow],
        });
        const placed = placeTap(tap, win, padded, kh, kw);
        sum = sum ? add(sum, placed) : placed;
      }
    }
    return cropImage(sum!, win.padding);
  },
  vjp: (g, { attrs }) => {
    const { outputSize: _, ...window } = attrs;
    return [im2col(g, window)];
  },
});

/**
 * Visits every (window position, tap) pair of an N × C image batch: the flat index the tap
 * reads in the [N, C, H, W] image (−1 inside the padding) and the flat index of its entry
 * in the [N, C·KH·KW, OH·OW] columns.
 */
function forEachWindowTap(
  n: number,
  c: number,
  [h, w]: readonly [number, number],
  [oh, ow]: readonly [number, number],
  win: Window2d,
  visit: (image: number, column: number) => void,
): void {
  const [kh, kw] = win.kernel;
  let column = 0;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          for (let y = 0; y < oh; y++) {
            const iy = y * win.stride[0] - win.padding[0] + i * win.dilation[0];
            for (let x = 0; x < ow; x++) {
              const ix = x * win.stride[1] - win.padding[1] + j * win.dilation[1];
              const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              visit(inside ? plane + iy * w + ix : -1, column++);
            }
          }
        }
      }
    }
  }
}

/** Checks columns [N, C·KH·KW, L] against the window and the image size they fold into. */
function checkColumns(cols: TensorMeta, win: Window2d, [h, w]: readonly [number, number]): void {
  checkDType("col2im", cols.dtype, "float");
  const kk = win.kernel[0] * win.kernel[1];
  const [oh, ow] = windowOutput("col2im", h, w, win);
  if (cols.shape.length !== 3 || cols.shape[1]! % kk !== 0 || cols.shape[2] !== oh * ow) {
    throw new InstructionError(
      "col2im",
      `columns must be [batch, channels·${kk}, ${oh * ow}] for a ${win.kernel.join("×")} window over ` +
        `${h}×${w} (${oh}×${ow} positions), got ${fmt(cols.shape)}`,
    );
  }
}

type ConvAttrs = Omit<WindowAttrs, "kernel"> & { groups?: number };
type ConvTransposeAttrs = ConvAttrs & { outputPadding?: readonly number[] };

const CONV_ATTR_SCHEMA = {
  stride: "ints?",
  padding: "ints?",
  dilation: "ints?",
  groups: "int?",
} as const;

/** Checks a convolution's image and weight (channels on weight axis `inAxis` split by groups). */
function checkConv(
  name: string,
  x: TensorMeta,
  w: TensorMeta,
  groups: number,
  transposed: boolean,
): { n: number; c: number; h: number; w: number; out: number; kernel: [number, number] } {
  const [n, c, h, wd] = checkImage(name, x);
  const weight = checkImage(name, w, "the weight");
  if (w.dtype !== x.dtype) throw new InstructionError(name, `dtypes differ: ${x.dtype} and ${w.dtype}`);
  if (!(groups >= 1)) throw new InstructionError(name, `groups must be ≥ 1, got ${groups}`);
  const [w0, w1, kh, kw] = weight;
  const layout = transposed ? "[in, out/groups, kh, kw]" : "[out, in/groups, kh, kw]";
  const perGroupIn = transposed ? w0 : w1 * groups;
  const out = transposed ? w1 * groups : w0;
  if (c % groups !== 0 || out % groups !== 0 || perGroupIn !== c || kh < 1 || kw < 1) {
    throw new InstructionError(
      name,
      `x ${fmt(x.shape)} with ${groups} group${groups === 1 ? "" : "s"} needs a weight ${layout} with ` +
        `in = ${c}, out divisible by ${groups}; got ${fmt(w.shape)}`,
    );
  }
  return { n, c, h, w: wd, out, kernel: [kh, kw] };
}

function convWindow(name: string, w: TensorMeta, a: ConvAttrs): Window2d {
  return canonicalWindow(name, a, [w.shape[2]!, w.shape[3]!]);
}

/**
 * conv2d(x [N, C, H, W], weight [O, C/groups, KH, KW]) → [N, O, OH, OW]: PyTorch's
 * `F.conv2d` without the bias (add it after: it fuses into the product's epilogue).
 * out[n, o, y, x] = Σ_{c in o's group, i, j} w[o, c, i, j] · x[n, c, y·sh − ph + i·dh, x·sw − pw + j·dw].
 */
export const conv2d: Instruction<ConvAttrs> = defineInstruction<ConvAttrs>({
  name: "conv2d",
  doc: "2-D convolution of NCHW x with weight [out, in/groups, kh, kw] (stride, padding, dilation, groups)",
  operands: 2,
  attrs: CONV_ATTR_SCHEMA,
  canonicalize: ([x, w], a) => {
    const groups = a.groups ?? 1;
    checkConv("conv2d", x!, w!, groups, false);
    const { stride, padding, dilation } = windowAttrs(convWindow("conv2d", w!, a));
    return { stride, padding, dilation, groups };
  },
  shape: ([x, w], a) => {
    const { n, h, w: wd, out } = checkConv("conv2d", x!, w!, a.groups!, false);
    return [n, out, ...windowOutput("conv2d", h, wd, convWindow("conv2d", w!, a))];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x, w], out, a) => {
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [o, cg, kh, kw] = w!.shape as [number, number, number, number];
    const [, , oh, ow] = out.shape as [number, number, number, number];
    const win = convWindow("conv2d", w!, a);
    const og = o / a.groups!;
    for (let b = 0; b < n; b++) {
      for (let f = 0; f < o; f++) {
        const first = Math.floor(f / og) * cg;
        for (let y = 0; y < oh; y++) {
          for (let xo = 0; xo < ow; xo++) {
            let acc = 0;
            for (let ci = 0; ci < cg; ci++) {
              for (let i = 0; i < kh; i++) {
                const iy = y * win.stride[0] - win.padding[0] + i * win.dilation[0];
                if (iy < 0 || iy >= h) continue;
                for (let j = 0; j < kw; j++) {
                  const ix = xo * win.stride[1] - win.padding[1] + j * win.dilation[1];
                  if (ix < 0 || ix >= wd) continue;
                  acc +=
                    w!.data[((f * cg + ci) * kh + i) * kw + j]! *
                    x!.data[((b * c + first + ci) * h + iy) * wd + ix]!;
                }
              }
            }
            out.data[((b * o + f) * oh + y) * ow + xo] = acc;
          }
        }
      }
    }
  },
  decompose: ([x, w], a) => {
    const win = convWindow("conv2d", w!, a);
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [o, cg, kh, kw] = w!.shape as [number, number, number, number];
    const [oh, ow] = windowOutput("conv2d", h, wd, win);
    const g = a.groups!;
    const pointwise =
      kh === 1 && kw === 1 && win.stride.every((s) => s === 1) && win.padding.every((p) => p === 0);
    const cols = pointwise ? reshape(x!, { shape: [n, c, h * wd] }) : im2col(x!, { ...windowAttrs(win) });
    const product =
      g === 1
        ? matmul(reshape(w!, { shape: [o, cg * kh * kw] }), cols)
        : matmul(
            reshape(w!, { shape: [g, o / g, cg * kh * kw] }),
            reshape(cols, { shape: [n, g, cg * kh * kw, oh * ow] }),
          );
    return reshape(product, { shape: [n, o, oh, ow] });
  },
});

/** Output extent of a transposed convolution along one axis. */
function transposedExtent(size: number, win: Window2d, outputPadding: number, axis: 0 | 1): number {
  return (
    (size - 1) * win.stride[axis] -
    2 * win.padding[axis] +
    win.dilation[axis] * (win.kernel[axis] - 1) +
    outputPadding +
    1
  );
}

function transposedOutput(name: string, h: number, w: number, win: Window2d, op: readonly number[]) {
  const out: [number, number] = [transposedExtent(h, win, op[0]!, 0), transposedExtent(w, win, op[1]!, 1)];
  if (out[0] < 1 || out[1] < 1) {
    throw new InstructionError(
      name,
      `padding ${win.padding.join("×")} leaves no output for a ${h}×${w} input`,
    );
  }
  return out;
}

/**
 * convTranspose2d(x [N, Cin, H, W], weight [Cin, Cout/groups, KH, KW]) → [N, Cout, OH, OW]
 * with OH = (H − 1)·sh − 2·ph + dh·(KH − 1) + outputPadding + 1: the adjoint of conv2d
 * (PyTorch's `F.conv_transpose2d` without the bias): each input pixel adds its weighted
 * kernel into the output at stride spacing.
 */
export const convTranspose2d: Instruction<ConvTransposeAttrs> = defineInstruction<ConvTransposeAttrs>({
  name: "convTranspose2d",
  doc: "transposed 2-D convolution (conv2d's adjoint) with weight [in, out/groups, kh, kw]",
  operands: 2,
  attrs: { ...CONV_ATTR_SCHEMA, outputPadding: "ints?" },
  canonicalize: ([x, w], a) => {
    const groups = a.groups ?? 1;
    checkConv("convTranspose2d", x!, w!, groups, true);
    const win = convWindow("convTranspose2d", w!, a);
    const outputPadding = pairAttr("convTranspose2d", "outputPadding", a.outputPadding, [0, 0], 0);
    if (outputPadding[0] >= win.stride[0] || outputPadding[1] >= win.stride[1]) {
      throw new InstructionError(
        "convTranspose2d",
        `outputPadding [${outputPadding}] must be smaller than the stride [${win.stride}]`,
      );
    }
    const { stride, padding, dilation } = windowAttrs(win);
    return { stride, padding, dilation, groups, outputPadding };
  },
  shape: ([x, w], a) => {
    const { n, h, w: wd, out } = checkConv("convTranspose2d", x!, w!, a.groups!, true);
    const win = convWindow("convTranspose2d", w!, a);
    return [n, out, ...transposedOutput("convTranspose2d", h, wd, win, a.outputPadding!)];
  },
  dtype: ([x]) => x!.dtype,
  ref: ([x, w], out, a) => {
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [, og, kh, kw] = w!.shape as [number, number, number, number];
    const [, o, oh, ow] = out.shape as [number, number, number, number];
    const win = convWindow("convTranspose2d", w!, a);
    const cg = c / a.groups!;
    out.data.fill(0);
    for (let b = 0; b < n; b++) {
      for (let ci = 0; ci < c; ci++) {
        const firstOut = Math.floor(ci / cg) * og;
        for (let y = 0; y < h; y++) {
          for (let xi = 0; xi < wd; xi++) {
            const v = x!.data[((b * c + ci) * h + y) * wd + xi]!;
            for (let f = 0; f < og; f++) {
              for (let i = 0; i < kh; i++) {
                const oy = y * win.stride[0] - win.padding[0] + i * win.dilation[0];
                if (oy < 0 || oy >= oh) continue;
                for (let j = 0; j < kw; j++) {
                  const ox = xi * win.stride[1] - win.padding[1] + j * win.dilation[1];
                  if (ox < 0 || ox >= ow) continue;
                  out.data[((b * o + firstOut + f) * oh + oy) * ow + ox]! +=
                    v * w!.data[((ci * og + f) * kh + i) * kw + j]!;
                }
              }
            }
          }
        }
      }
    }
  },
  decompose: ([x, w], a) => {
    const win = convWindow("convTranspose2d", w!, a);
    const [n, c, h, wd] = x!.shape as [number, number, number, number];
    const [, og, kh, kw] = w!.shape as [number, number, number, number];
    const g = a.groups!;
    const [oh, ow] = transposedOutput("convTranspose2d", h, wd, win, a.outputPadding!);
    const pointwise =
      kh === 1 && kw === 1 && win.stride.every((s) => s === 1) && win.padding.every((p) => p === 0);
    const cols =
      g === 1
        ? matmul(
            transposeLast(reshape(w!, { shape: [c, og * kh * kw] })),
            reshape(x!, { shape: [n, c, h * wd] }),
          )
        : matmul(
            transposeLast(reshape(w!, { shape: [g, c / g, og * kh * kw] })),
            reshape(x!, { shape: [n, g, c / g, h * wd] }),
          );
    if (pointwise) return reshape(cols, { shape: [n, g * og, oh, ow] });
    return col2im(reshape(cols, { shape: [n, g * og * kh * kw, h * wd] }), {
      ...windowAttrs(win),
      outputSize: [oh, ow],
    });
  },
});
