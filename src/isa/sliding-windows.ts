import type { Node } from "../ir/node.js";
import { fmt } from "../ir/shape.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import type { TensorMeta } from "./instruction.js";
import { pad, reshape, slice } from "./movement.js";

/**
 * The geometry every sliding-window instruction over images shares (convolutions, pooling,
 * im2col): images are NCHW, [batch, channels, height, width]; a window has a size, a
 * stride, zero padding on both sides and a dilation (the step between its taps), each a
 * pair (height, width). Output extent along an axis, as PyTorch computes it:
 * ⌊(size + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.
 */
export interface Window2d {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
}

/** Window attributes as instructions take them: pairs, or one number for both axes. */
export type WindowAttrs = {
  kernel?: readonly number[];
  stride?: readonly number[];
  padding?: readonly number[];
  dilation?: readonly number[];
};

export const WINDOW_ATTR_SCHEMA = {
  kernel: "ints?",
  stride: "ints?",
  padding: "ints?",
  dilation: "ints?",
} as const;

/** An attribute given as [v] or [h, w] (or absent: the fallback) as a checked pair. */
export function pairAttr(
  name: string,
  what: string,
  value: readonly number[] | undefined,
  fallback: readonly [number, number],
  min: number,
): [number, number] {
  const v = value ?? fallback;
  if (v.length !== 1 && v.length !== 2) {
    throw new InstructionError(name, `${what} is one number or [height, width], got [${v}]`);
  }
  const pair: [number, number] = [v[0]!, v[v.length - 1]!];
  if (pair.some((x) => x < min)) throw new InstructionError(name, `${what} must be ≥ ${min}, got [${v}]`);
  return pair;
}

/** Checks an NCHW float32 image operand and returns its shape. */
export function checkImage(name: string, x: TensorMeta, what = "x"): [number, number, number, number] {
  checkDType(name, x.dtype, "float");
  if (x.shape.length !== 4) {
    throw new InstructionError(name, `${what} must be [batch, channels, height, width], got ${fmt(x.shape)}`);
  }
  return x.shape as unknown as [number, number, number, number];
}

/** Output extent of a window sliding along one axis of `size`. */
export function windowExtent(size: number, w: Window2d, axis: 0 | 1): number {
  const reach = w.dilation[axis] * (w.kernel[axis] - 1) + 1;
  return Math.floor((size + 2 * w.padding[axis] - reach) / w.stride[axis]) + 1;
}

/** [outHeight, outWidth] of a window over an H × W image; throws when the window does not fit. */
export function windowOutput(name: string, h: number, w: number, win: Window2d): [number, number] {
  const out: [number, number] = [windowExtent(h, win, 0), windowExtent(w, win, 1)];
  if (out[0] < 1 || out[1] < 1) {
    throw new InstructionError(
      name,
      `a ${win.kernel[0]}×${win.kernel[1]} window (dilation ${win.dilation.join("×")}, padding ` +
        `${win.padding.join("×")}) does not fit a ${h}×${w} image`,
    );
  }
  return out;
}

/** The window attributes in canonical form (pairs, defaults filled); `kernel` given by the caller. */
export function canonicalWindow(
  name: string,
  a: WindowAttrs,
  kernel: readonly [number, number],
  defaultStride: readonly [number, number] = [1, 1],
): Window2d {
  return {
    kernel,
    stride: pairAttr(name, "stride", a.stride, defaultStride, 1),
    padding: pairAttr(name, "padding", a.padding, [0, 0], 0),
    dilation: pairAttr(name, "dilation", a.dilation, [1, 1], 1),
  };
}

/** The window as plain attributes (what canonicalize returns). */
export function windowAttrs(w: Window2d): Required<WindowAttrs> {
  return { kernel: [...w.kernel], stride: [...w.stride], padding: [...w.padding], dilation: [...w.dilation] };
}

/** Reads canonical window attributes back. */
export function windowOf(a: WindowAttrs): Window2d {
  const pair = (v: readonly number[] | undefined) => [v![0]!, v![1]!] as const;
  return {
    kernel: pair(a.kernel),
    stride: pair(a.stride),
    padding: pair(a.padding),
    dilation: pair(a.dilation),
  };
}

/** x padded on height and width with `value` (zero for convolutions, −∞ for max pooling). */
export function padImage(x: Node, padding: readonly [number, number], value = 0): Node {
  if (padding[0] === 0 && padding[1] === 0) return x;
  return pad(x, { before: [0, 0, padding[0], padding[1]], after: [0, 0, padding[0], padding[1]], value });
}

/**
 * Tap (kh, kw) of every window position: the element each window reads at that offset,
 * [N, C, OH, OW], as a strided slice of the already padded image (a view, no copy).
 */
export function windowTap(padded: Node, w: Window2d, out: readonly [number, number], kh: number, kw: number) {
  const [n, c] = padded.shape as [number, number];
  const top = kh * w.dilation[0];
  const left = kw * w.dilation[1];
  return slice(padded, {
    starts: [0, 0, top, left],
    ends: [n, c, top + (out[0] - 1) * w.stride[0] + 1, left + (out[1] - 1) * w.stride[1] + 1],
    steps: [1, 1, w.stride[0], w.stride[1]],
  });
}

/** Every tap of the window in row-major order (kh, then kw). */
export function windowTaps(padded: Node, w: Window2d, out: readonly [number, number]): Node[] {
  const taps: Node[] = [];
  for (let kh = 0; kh < w.kernel[0]; kh++) {
    for (let kw = 0; kw < w.kernel[1]; kw++) taps.push(windowTap(padded, w, out, kh, kw));
  }
  return taps;
}

/**
 * The adjoint of `windowTap`: a tap's values [N, C, OH, OW] placed where the tap read them
 * in the padded image of [height, width], zeros elsewhere (strides spread the values apart).
 */
export function placeTap(
  values: Node,
  w: Window2d,
  padded: readonly [number, number],
  kh: number,
  kw: number,
): Node {
  const [n, c, oh, ow] = values.shape as [number, number, number, number];
  let spread = values;
  // Insert stride − 1 zeros after every element: pad a unit axis, merge it back, drop the tail.
  if (w.stride[0] > 1) {
    const withUnit = pad(reshape(spread, { shape: [n, c, oh, 1, ow] }), {
      before: [0, 0, 0, 0, 0],
      after: [0, 0, 0, w.stride[0] - 1, 0],
    });
    spread = slice(reshape(withUnit, { shape: [n, c, oh * w.stride[0], ow] }), {
      starts: [0, 0, 0, 0],
      ends: [n, c, (oh - 1) * w.stride[0] + 1, ow],
    });
  }
  if (w.stride[1] > 1) {
    const rows = spread.shape[2]!;
    const withUnit = pad(reshape(spread, { shape: [n, c, rows, ow, 1] }), {
      before: [0, 0, 0, 0, 0],
      after: [0, 0, 0, 0, w.stride[1] - 1],
    });
    spread = slice(reshape(withUnit, { shape: [n, c, rows, ow * w.stride[1]] }), {
      starts: [0, 0, 0, 0],
      ends: [n, c, rows, (ow - 1) * w.stride[1] + 1],
    });
  }
  const top = kh * w.dilation[0];
  const left = kw * w.dilation[1];
  return pad(spread, {
    before: [0, 0, top, left],
    after: [0, 0, padded[0] - top - spread.shape[2]!, padded[1] - left - spread.shape[3]!],
  });
}

/** The interior of a padded image: the padding cropped off again. */
export function cropImage(padded: Node, padding: readonly [number, number]): Node {
  if (padding[0] === 0 && padding[1] === 0) return padded;
  const [n, c, h, w] = padded.shape as [number, number, number, number];
  return slice(padded, {
    starts: [0, 0, padding[0], padding[1]],
    ends: [n, c, h - padding[0], w - padding[1]],
  });
}
