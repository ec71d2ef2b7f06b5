import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import type { Attrs } from "../../isa/instruction.js";
import { windowOf, windowOutput } from "../../isa/sliding-windows.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, ValType } from "./emitter/opcodes.js";
import type { RenderContext, RenderedKernel } from "./render-elementwise.js";

/**
 * Max pooling and its gradient's two halves (maxPool2dArgmax, maxPool2dGrad) as WebAssembly,
 * for windows that tile the image without padding or dilation (the pooling of CNNs), with
 * the reference semantics of isa/pooling.ts. Their decompositions read each tap as a
 * strided view, a kernel per tap for the gradient; here a tile unit is one image plane,
 * each window's taps are read into registers once, and the window (a few taps) is unrolled
 * into the code. Other windows are decomposed.
 */

/** The most taps a window may have here (they are unrolled, one local each). */
const MAX_TAPS = 16;

/** Windows these kernels take: stride = kernel, no padding or dilation, at most MAX_TAPS taps. */
function tiledWindow(attrs: Attrs): boolean {
  const win = windowOf(attrs);
  return (
    win.kernel[0] * win.kernel[1] <= MAX_TAPS &&
    win.stride[0] === win.kernel[0] &&
    win.stride[1] === win.kernel[1] &&
    win.padding.every((p) => p === 0) &&
    win.dilation.every((d) => d === 1)
  );
}

/** The gradient's windows also cover the whole image, so every pixel is written. */
function tiledGradient(attrs: Attrs): boolean {
  const win = windowOf(attrs);
  const size = attrs.outputSize as readonly number[];
  return tiledWindow(attrs) && size[0]! % win.kernel[0] === 0 && size[1]! % win.kernel[1] === 0;
}

interface Geometry {
  planes: number;
  h: number;
  w: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
}

function geometry(kernel: InstructionKernel, image: readonly number[]): Geometry {
  const [n, c, h, w] = image as [number, number, number, number];
  const win = windowOf(kernel.attrs);
  const [oh, ow] = windowOutput(kernel.instruction.name, h, w, win);
  return { planes: n * c, h, w, oh, ow, kh: win.kernel[0], kw: win.kernel[1] };
}

interface Window {
  readonly cw: CodeWriter;
  /** Pushes the address of the window's first tap (read tap t at memarg offset `tapOffset(t)`). */
  readonly tapAddress: () => void;
  readonly tapOffset: (t: number) => number;
  /** Pushes the address of the window's element in buffer b, a [planes, oh, ow] array (memarg offset `windowOffset(b)`). */
  readonly windowAddress: (b: number) => void;
  readonly windowOffset: (b: number) => number;
}

/**
 * The loops every kernel here shares: planes u of the tile range, then windows (y, xo),
 * around `body`, which reads and writes through the addresses `Window` gives: the image
 * (buffer `image`) at its window's taps, and the arrays of one value per window. Addresses
 * advance as the loops do, so a window costs a few adds besides its taps.
 */
function windowLoops(
  kernel: InstructionKernel,
  ctx: RenderContext,
  g: Geometry,
  image: number,
  body: (window: Window) => void,
): RenderedKernel | undefined {
  if (g.planes * g.oh * g.ow === 0) return undefined;
  const cw = new CodeWriter(3);
  const baseOf = bindBufferBases(cw, ctx, kernel.inputs);
  const [u, y, xo, row, tap, at] = Array.from({ length: 6 }, () => cw.local(ValType.i32));
  const window: Window = {
    cw,
    tapAddress: () => cw.get(tap),
    tapOffset: (t) => ctx.bufferOffset(image) + (Math.floor(t / g.kw) * g.w + (t % g.kw)) * 4,
    windowAddress: (b) => cw.get(baseOf(b)).get(at).op(Op.i32_add),
    windowOffset: (b) => ctx.bufferOffset(b),
  };
  const upTo = (n: number) => () => cw.i32(n);
  const zero = () => cw.i32(0);
  // Windows are laid out one after another, plane after plane: `at` is 4·(u·oh·ow + y·ow + xo).
  cw.get(0)
    .i32(g.oh * g.ow * 4)
    .op(Op.i32_mul)
    .set(at);
  cw.forLoop(
    u,
    () => cw.get(0),
    () => cw.get(1),
    1,
    () => {
      cw.get(baseOf(image))
        .get(u)
        .i32(g.h * g.w * 4)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .set(row);
      cw.forLoop(y, zero, upTo(g.oh), 1, () => {
        cw.get(row).set(tap);
        cw.forLoop(xo, zero, upTo(g.ow), 1, () => {
          body(window);
          cw.get(tap)
            .i32(g.kw * 4)
            .op(Op.i32_add)
            .set(tap);
          cw.get(at).i32(4).op(Op.i32_add).set(at);
        });
        cw.get(row)
          .i32(g.kh * g.w * 4)
          .op(Op.i32_add)
          .set(row);
      });
    },
  );
  return { code: cw, units: g.planes };
}

export function renderMaxPool2d(kernel: InstructionKernel, ctx: RenderContext): RenderedKernel | undefined {
  return renderMaxima(kernel, ctx, false);
}

export function renderMaxPool2dArgmax(
  kernel: InstructionKernel,
  ctx: RenderContext,
): RenderedKernel | undefined {
  return renderMaxima(kernel, ctx, true);
}

/**
 * Each window's maximum as the reference takes it (a tap wins when it is greater, or NaN,
 * which then stays), stored, or with `argmax` the first tap equal to it (kk when none is: a
 * NaN maximum). Values are selected as integer bits and the NaN tracked apart: V8 compiles
 * f32.max and selects of floats to branches, which random data mispredicts (ten times slower).
 */
function renderMaxima(
  kernel: InstructionKernel,
  ctx: RenderContext,
  argmax: boolean,
): RenderedKernel | undefined {
  const g = geometry(kernel, kernel.inputShapes[0]!);
  const x = kernel.inputs[0]!;
  const kk = g.kh * g.kw;
  let locals: { v: number[]; m: number; nan: number; first: number } | undefined;
  return windowLoops(kernel, ctx, g, x, ({ cw, tapAddress, tapOffset, windowAddress, windowOffset }) => {
    locals ??= {
      v: Array.from({ length: kk }, () => cw.local(ValType.f32)),
      m: cw.local(ValType.f32),
      nan: cw.local(ValType.i32),
      first: cw.local(ValType.i32),
    };
    const { v, m, nan, first } = locals;
    cw.f32(Number.NEGATIVE_INFINITY).set(m);
    cw.i32(0).set(nan);
    for (let t = 0; t < kk; t++) {
      tapAddress();
      cw.mem(Op.f32_load, 2, tapOffset(t)).set(v[t]!);
      // m = v > m ? v : m, selected as bits; nan |= v != v
      cw.get(v[t]!).op(Op.i32_reinterpret_f32).get(m).op(Op.i32_reinterpret_f32);
      cw.get(v[t]!).get(m).op(Op.f32_gt).op(Op.select).op(Op.f32_reinterpret_i32).set(m);
      cw.get(nan).get(v[t]!).get(v[t]!).op(Op.f32_ne).op(Op.i32_or).set(nan);
    }
    cw.f32(Number.NaN).op(Op.i32_reinterpret_f32).get(m).op(Op.i32_reinterpret_f32).get(nan).op(Op.select);
    cw.op(Op.f32_reinterpret_i32).set(m);
    windowAddress(kernel.out);
    if (!argmax) {
      cw.get(m).mem(Op.f32_store, 2, windowOffset(kernel.out));
      return;
    }
    cw.i32(kk).set(first);
    for (let t = kk - 1; t >= 0; t--) {
      cw.i32(t).get(first).get(v[t]!).get(m).op(Op.f32_eq).op(Op.select).set(first);
    }
    cw.get(first).mem(Op.i32_store, 2, windowOffset(kernel.out));
  });
}

/**
 * maxPool2dGrad for tiling windows that cover the image: each window's taps stored, g at
 * its argmax tap and +0 at the others (every pixel is in exactly one window).
 */
export function renderMaxPool2dGrad(
  kernel: InstructionKernel,
  ctx: RenderContext,
): RenderedKernel | undefined {
  const g = geometry(kernel, kernel.shape);
  const [grad, argmax] = kernel.inputs as [number, number];
  const kk = g.kh * g.kw;
  let locals: { gv: number; a: number } | undefined;
  return windowLoops(
    kernel,
    ctx,
    g,
    kernel.out,
    ({ cw, tapAddress, tapOffset, windowAddress, windowOffset }) => {
      locals ??= { gv: cw.local(ValType.i32), a: cw.local(ValType.i32) };
      const { gv, a } = locals;
      // g moves as its bits: g where the tap won, else +0, by a mask (see renderMaxima).
      windowAddress(grad);
      cw.mem(Op.i32_load, 2, windowOffset(grad)).set(gv);
      windowAddress(argmax);
      cw.mem(Op.i32_load, 2, windowOffset(argmax)).set(a);
      for (let t = 0; t < kk; t++) {
        tapAddress();
        cw.get(gv).i32(0).get(a).i32(t).op(Op.i32_eq).op(Op.i32_sub).op(Op.i32_and);
        cw.mem(Op.i32_store, 2, tapOffset(t));
      }
    },
  );
}

/** The kernel table's entries: these kernels for the windows they take, decompositions for the others. */
export const WASM_WINDOW_KERNELS = {
  maxPool2d: Object.assign(renderMaxPool2d.bind(null), { accepts: tiledWindow }),
  maxPool2dArgmax: Object.assign(renderMaxPool2dArgmax.bind(null), { accepts: tiledWindow }),
  maxPool2dGrad: Object.assign(renderMaxPool2dGrad.bind(null), { accepts: tiledGradient }),
};
