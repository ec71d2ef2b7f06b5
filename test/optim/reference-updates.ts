/**
 * The optimizers' update rules written out in plain float64 JS, from the formulas in
 * PyTorch's documentation for torch.optim.SGD, Adam and AdamW, one parameter array at a time.
 */

export interface SgdHyper {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/** One SGD step on p with gradient g; `buffer` is the momentum buffer (undefined before the first step). */
export function sgdStep(
  p: number[],
  g: number[],
  buffer: number[] | undefined,
  h: SgdHyper,
): { p: number[]; buffer: number[] | undefined } {
  const { lr, momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = h;
  let d = g.map((gi, i) => gi + weightDecay * p[i]!);
  let b: number[] | undefined;
  if (momentum !== 0) {
    b = buffer === undefined ? [...d] : buffer.map((bi, i) => momentum * bi + (1 - dampening) * d[i]!);
    d = nesterov ? d.map((di, i) => di + momentum * b![i]!) : b;
  }
  return { p: p.map((pi, i) => pi - lr * d[i]!), buffer: b };
}

export interface AdamHyper {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  decoupled: boolean;
}

export interface AdamState {
  m: number[];
  v: number[];
  t: number;
}

export function adamInit(size: number): AdamState {
  return { m: new Array(size).fill(0), v: new Array(size).fill(0), t: 0 };
}

/** One Adam (decoupled: false) or AdamW (decoupled: true) step. */
export function adamStep(
  p: number[],
  grad: number[],
  s: AdamState,
  h: AdamHyper,
): { p: number[]; state: AdamState } {
  const { lr, betas: [b1, b2] = [0.9, 0.999], eps = 1e-8, weightDecay = 0, decoupled } = h;
  const t = s.t + 1;
  const g = decoupled ? grad : grad.map((gi, i) => gi + weightDecay * p[i]!);
  const start = decoupled ? p.map((pi) => pi * (1 - lr * weightDecay)) : p;
  const m = s.m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
  const v = s.v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! * g[i]!);
  const mHat = m.map((mi) => mi / (1 - b1 ** t));
  const vHat = v.map((vi) => vi / (1 - b2 ** t));
  return { p: start.map((pi, i) => pi - (lr * mHat[i]!) / (Math.sqrt(vHat[i]!) + eps)), state: { m, v, t } };
}
