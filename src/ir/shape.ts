/** Shapes, strides, broadcasting and axis helpers shared by every layer. */
export type Shape = readonly number[];

export class ShapeError extends Error {
  override name = "ShapeError";
}

export function fmt(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C order) strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of any number of shapes; undefined when they are incompatible. */
export function broadcastShapes(...shapes: Shape[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return undefined;
    }
  }
  return out;
}

/**
 * Strides for reading `shape` as if broadcast to `target` (stride 0 along broadcast axes),
 * so an elementwise loop over `target` can index any operand without materialising it.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = target.length - shape.length + i;
    out[o] = shape[i] === 1 ? 0 : own[i]!;
  }
  return out;
}

/** Normalises a possibly negative axis, with an error that names the caller. */
export function normalizeAxis(axis: number, rank: number, who: string): number {
  if (!Number.isInteger(axis) || axis < -Math.max(rank, 1) || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${who}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises, sorts and de-duplicates a set of axes; `undefined` means all axes. */
export function normalizeAxes(axes: readonly number[] | undefined, rank: number, who: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const out = axes.map((a) => normalizeAxis(a, rank, who));
  const set = [...new Set(out)].sort((a, b) => a - b);
  if (set.length !== out.length) throw new ShapeError(`${who}: repeated axis in [${axes.join(",")}]`);
  return set;
}

export function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isInteger(d) && d >= 0);
}

export function checkShape(shape: readonly number[], who: string): number[] {
  if (!isShape(shape)) {
    throw new ShapeError(`${who}: a shape is a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}
