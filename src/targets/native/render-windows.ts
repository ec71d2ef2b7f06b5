import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import { windowOf, windowOutput } from "../../isa/sliding-windows.js";
import { cPrelude } from "./c-prelude.js";
import { KernelParams } from "./kernel-params.js";
import { kernelSignature, type RenderedNativeKernel } from "./native-kernel.js";

/**
 * The sliding-window instructions over NCHW images as C, with the reference semantics of
 * isa/convolution.ts and isa/pooling.ts: im2col, col2im, maxPool2d and its gradient's two
 * halves (maxPool2dArgmax, maxPool2dGrad). Their decompositions are strided views copied
 * and padded one tap at a time (a kernel per tap); here each reads its image plane once,
 * while it is in cache. A tile unit is one plane (an image's channel): planes are
 * independent, so no two threads write one element, and sums add in the reference's order.
 */

/**
 * The window's geometry as the C constants every kernel here declares. The window (kernel,
 * stride, padding, dilation) is written into the source, so the compiler unrolls the taps
 * and knows the strides (a library per window shape, and models use few); the sizes are
 * parameters, so one library serves every batch and image size.
 */
function geometry(
  params: KernelParams,
  kernel: InstructionKernel,
  image: readonly number[],
): { declarations: string; planes: number } {
  const [n, c, h, w] = image as [number, number, number, number];
  const win = windowOf(kernel.attrs);
  const [oh, ow] = windowOutput(kernel.instruction.name, h, w, win);
  const sizes = Object.entries({ h, w, oh, ow }).map(
    ([name, v]) => `const int64_t ${name} = ${params.int(v)};`,
  );
  const window = Object.entries({
    kh: win.kernel[0],
    kw: win.kernel[1],
    sh: win.stride[0],
    sw: win.stride[1],
    ph: win.padding[0],
    pw: win.padding[1],
    dh: win.dilation[0],
    dw: win.dilation[1],
  }).map(([name, v]) => `const int64_t ${name} = ${v};`);
  return { declarations: [...sizes, ...window].join("\n  "), planes: n * c };
}

/**
 * C helpers: the output columns x in [*x0, *x1) whose tap at column offset `off` (tap
 * column minus padding) lands inside a row of `w` pixels: 0 ≤ x·sw + off < w.
 */
const COLUMN_RANGE = `
static inline void inside_columns(int64_t off, int64_t sw, int64_t w, int64_t ow, int64_t *x0, int64_t *x1) {
  int64_t first = off >= 0 ? 0 : (-off + sw - 1) / sw;
  int64_t last = w - 1 - off < 0 ? 0 : (w - 1 - off) / sw + 1;
  if (last > ow) last = ow;
  if (first > last) first = last;
  *x0 = first;
  *x1 = last;
}
`;

/** A buffer a kernel here reads or writes: its C name and element type, and its number. */
interface KernelBuffer {
  name: string;
  type: "float" | "int32_t";
  buffer: number;
  writes?: boolean;
}

/** The kernel's C function: pointers to `buffers`, the geometry, `body` once per plane `u`. */
function render(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  image: readonly number[],
  buffers: readonly KernelBuffer[],
  body: string,
): RenderedNativeKernel | undefined {
  const params = new KernelParams();
  const pointers = buffers
    .map(({ name, type, buffer, writes }) => {
      const qualifier = writes ? "" : "const ";
      return `${qualifier}${type} *const ${name} = (${qualifier}${type} *)(arena + ${params.buffer(buffer, bufferOffset(buffer))});`;
    })
    .join("\n  ");
  const { declarations, planes } = geometry(params, kernel, image);
  if (planes === 0 || image[2] === 0 || image[3] === 0) return undefined;
  const source = `${cPrelude()}${COLUMN_RANGE}
${kernelSignature()} {
  char *const arena = (char *)(intptr_t)p[0];
  ${pointers}
  ${declarations}
  const int64_t kk = kh * kw, plane = h * w, positions = oh * ow;
  (void)kk; (void)plane; (void)positions;
  for (int64_t u = begin; u < end; u++) {
${body}
  }
}
`;
  return { code: { source, contract: false }, params, units: planes };
}

/** im2col: each tap's row of the plane's columns copied from the image row by row, zeros in the padding. */
export function renderIm2col(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  const x = kernel.inputs[0]!;
  return render(
    kernel,
    bufferOffset,
    kernel.inputShapes[0]!,
    [
      { name: "x", type: "float", buffer: x },
      { name: "out", type: "float", buffer: kernel.out, writes: true },
    ],
    `    const float *const src = x + u * plane;
    float *const cols = out + u * kk * positions;
    for (int64_t i = 0; i < kh; i++) {
      for (int64_t j = 0; j < kw; j++) {
        float *const row = cols + (i * kw + j) * positions;
        const int64_t off = j * dw - pw;
        int64_t x0, x1;
        inside_columns(off, sw, w, ow, &x0, &x1);
        for (int64_t y = 0; y < oh; y++) {
          float *restrict dst = row + y * ow;
          const int64_t iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= h) {
            memset(dst, 0, (size_t)ow * sizeof *dst);
            continue;
          }
          const float *restrict s = src + iy * w + off;
          for (int64_t c = 0; c < x0; c++) dst[c] = 0.0f;
          if (sw == 1) memcpy(dst + x0, s + x0, (size_t)(x1 - x0) * sizeof *dst);
          else for (int64_t c = x0; c < x1; c++) dst[c] = s[c * sw];
          for (int64_t c = x1; c < ow; c++) dst[c] = 0.0f;
        }
      }
    }`,
  );
}

/** col2im: the plane zeroed, then each tap's row added where it read, tap by tap (the reference's order). */
export function renderCol2im(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  const cols = kernel.inputs[0]!;
  return render(
    kernel,
    bufferOffset,
    kernel.shape,
    [
      { name: "cols", type: "float", buffer: cols },
      { name: "out", type: "float", buffer: kernel.out, writes: true },
    ],
    `    float *const dst = out + u * plane;
    const float *const src = cols + u * kk * positions;
    memset(dst, 0, (size_t)plane * sizeof *dst);
    for (int64_t i = 0; i < kh; i++) {
      for (int64_t j = 0; j < kw; j++) {
        const float *const row = src + (i * kw + j) * positions;
        const int64_t off = j * dw - pw;
        int64_t x0, x1;
        inside_columns(off, sw, w, ow, &x0, &x1);
        for (int64_t y = 0; y < oh; y++) {
          const int64_t iy = y * sh - ph + i * dh;
          if (iy < 0 || iy >= h) continue;
          float *restrict d = dst + iy * w + off;
          const float *restrict r = row + y * ow;
          if (sw == 1) for (int64_t c = x0; c < x1; c++) d[c] += r[c];
          else for (int64_t c = x0; c < x1; c++) d[c * sw] += r[c];
        }
      }
    }`,
  );
}

/**
 * The taps `v` of window (y, xo) of plane `src` (−∞ in the padding) and their maximum `m`
 * as the reference takes it: a tap wins when it is greater, or NaN (which then stays). The
 * NaN is tracked apart, so that the loops compile to max and blend instructions, not
 * branches, which random data would mispredict.
 */
const WINDOW_MAX = `float v[kh * kw];
        for (int64_t i = 0; i < kh; i++) {
          const int64_t iy = y * sh - ph + i * dh;
          for (int64_t j = 0; j < kw; j++) {
            const int64_t ix = xo * sw - pw + j * dw;
            v[i * kw + j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? src[iy * w + ix] : -INFINITY;
          }
        }
        float m = -INFINITY;
        int nan = 0;
        for (int64_t t = 0; t < kk; t++) {
          m = v[t] > m ? v[t] : m;
          nan |= v[t] != v[t];
        }
        m = nan ? NAN : m;`;

/** A kernel that takes each window's maximum `m` (WINDOW_MAX) and stores what `store` makes of it in dst. */
function renderWindowMaxima(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  type: KernelBuffer["type"],
  store: string,
): RenderedNativeKernel | undefined {
  return render(
    kernel,
    bufferOffset,
    kernel.inputShapes[0]!,
    [
      { name: "x", type: "float", buffer: kernel.inputs[0]! },
      { name: "out", type, buffer: kernel.out, writes: true },
    ],
    `    const float *const src = x + u * plane;
    ${type} *const dst = out + u * positions;
    for (int64_t y = 0; y < oh; y++) {
      for (int64_t xo = 0; xo < ow; xo++) {
        ${WINDOW_MAX}
        ${store}
      }
    }`,
  );
}

/** maxPool2d: each window's maximum. */
export function renderMaxPool2d(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  return renderWindowMaxima(kernel, bufferOffset, "float", "dst[y * ow + xo] = m;");
}

/**
 * maxPool2dArgmax: each window's maximum as maxPool2d computes it, then the first tap equal
 * to it (−∞ in the padding; kk when none is: NaN).
 */
export function renderMaxPool2dArgmax(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  return renderWindowMaxima(
    kernel,
    bufferOffset,
    "int32_t",
    `int32_t first = (int32_t)kk;
        for (int64_t t = kk - 1; t >= 0; t--) {
          const int32_t hit = -(int32_t)(v[t] == m);
          first = ((int32_t)t & hit) | (first & ~hit);
        }
        dst[y * ow + xo] = first;`,
  );
}

/**
 * maxPool2dGrad: the plane zeroed, then tap by tap (the reference's order) each window's g
 * added where its argmax tap read. Windows of other taps add +0, which changes nothing: a
 * sum that starts at +0 is never −0.
 */
export function renderMaxPool2dGrad(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  const [g, argmax] = kernel.inputs as [number, number];
  return render(
    kernel,
    bufferOffset,
    kernel.shape,
    [
      { name: "g", type: "float", buffer: g },
      { name: "argmax", type: "int32_t", buffer: argmax },
      { name: "out", type: "float", buffer: kernel.out, writes: true },
    ],
    `    float *const dst = out + u * plane;
    const float *const gp = g + u * positions;
    const int32_t *const ap = argmax + u * positions;
    memset(dst, 0, (size_t)plane * sizeof *dst);
    if (sh == kh && sw == kw && dh == 1 && dw == 1) {
      // Windows that tile the image: each pixel is in one window at most, so each tap is
      // stored, window by window, with no sums (this branch is settled when compiling).
      for (int64_t y = 0; y < oh; y++) {
        for (int64_t xo = 0; xo < ow; xo++) {
          const int32_t a = ap[y * ow + xo];
          const float gv = gp[y * ow + xo];
          for (int64_t i = 0; i < kh; i++) {
            const int64_t iy = y * sh - ph + i;
            for (int64_t j = 0; j < kw; j++) {
              const int64_t ix = xo * sw - pw + j;
              // g or +0 by a mask, not a branch: which tap won is random.
              const uint32_t won = 0u - (uint32_t)(a == i * kw + j);
              if (iy >= 0 && iy < h && ix >= 0 && ix < w) dst[iy * w + ix] = f_from_bits(f_bits(gv) & won);
            }
          }
        }
      }
      continue;
    }
    for (int64_t t = 0; t < kk; t++) {
      const int64_t i = t / kw, off = (t % kw) * dw - pw;
      int64_t x0, x1;
      inside_columns(off, sw, w, ow, &x0, &x1);
      for (int64_t y = 0; y < oh; y++) {
        const int64_t iy = y * sh - ph + i * dh;
        if (iy < 0 || iy >= h) continue;
        float *restrict d = dst + iy * w + off;
        const float *restrict gr = gp + y * ow;
        const int32_t *restrict ar = ap + y * ow;
        for (int64_t c = x0; c < x1; c++) d[c * sw] += ar[c] == t ? gr[c] : 0.0f;
      }
    }`,
  );
}
