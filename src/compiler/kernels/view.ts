import { type Shape, stridesOf } from "../../ir/shape.js";

/**
 * A strided view of a buffer: element at multi-index i lives at flat position
 * offset + Σ i[d]·strides[d]. Movement instructions (permute, expand, slice, flip and most
 * reshapes) change only the view, so they cost index arithmetic, not copies.
 */
export interface View {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export function contiguousView(shape: Shape, offset = 0): View {
  return { shape: [...shape], strides: stridesOf(shape), offset };
}

export function isContiguous(v: View): boolean {
  const c = stridesOf(v.shape);
  return v.shape.every((d, i) => d <= 1 || v.strides[i] === c[i]);
}

export function permuteView(v: View, axes: readonly number[]): View {
  return { shape: axes.map((a) => v.shape[a]!), strides: axes.map((a) => v.strides[a]!), offset: v.offset };
}

/** NumPy broadcasting: new leading axes and size-1 axes get stride 0. */
export function expandView(v: View, shape: Shape): View {
  const lead = shape.length - v.shape.length;
  return {
    shape: [...shape],
    strides: shape.map((d, i) =>
      i < lead ? 0 : v.shape[i - lead] === 1 && d !== 1 ? 0 : v.strides[i - lead]!,
    ),
    offset: v.offset,
  };
}

export function sliceView(
  v: View,
  starts: readonly number[],
  ends: readonly number[],
  steps: readonly number[],
): View {
  return {
    shape: starts.map((s, i) => Math.max(0, Math.ceil((ends[i]! - s) / steps[i]!))),
    strides: v.strides.map((st, i) => st * steps[i]!),
    offset: v.offset + starts.reduce((acc, s, i) => acc + s * v.strides[i]!, 0),
  };
}

export function flipView(v: View, axes: readonly number[]): View {
  return {
    shape: v.shape,
    strides: v.strides.map((s, i) => (axes.includes(i) ? -s : s)),
    offset: v.offset + axes.reduce((acc, a) => acc + (v.shape[a]! - 1) * v.strides[a]!, 0),
  };
}

/**
 * The view of the same elements in a new shape, if one strided view can express it:
 * each group of old axes that merges into new axes must be laid out contiguously relative
 * to each other. Otherwise undefined, and the caller copies first.
 */
export function reshapeView(v: View, shape: Shape): View | undefined {
  // Drop size-1 axes (their stride is irrelevant) and work with the rest.
  const old = v.shape.map((d, i) => [d, v.strides[i]!] as const).filter(([d]) => d !== 1);
  const size = v.shape.reduce((a, b) => a * b, 1);
  if (size === 0) return contiguousView(shape, v.offset);
  const strides = new Array<number>(shape.length).fill(0);
  let o = 0;
  let n = 0;
  while (n < shape.length) {
    if (shape[n] === 1) {
      strides[n] = 0;
      n++;
      continue;
    }
    // Take old axes until their product covers the next group of new axes.
    let oldSize = old[o]![0];
    const group = [o];
    let newSize = shape[n]!;
    const newGroup = [n];
    while (oldSize !== newSize) {
      if (oldSize < newSize) {
        o++;
        group.push(o);
        oldSize *= old[o]![0];
      } else {
        n++;
        newGroup.push(n);
        newSize *= shape[n]!;
      }
    }
    // The old axes of the group must nest contiguously.
    for (let k = 0; k + 1 < group.length; k++) {
      const [, s] = old[group[k]!]!;
      const [d1, s1] = old[group[k + 1]!]!;
      if (s !== s1 * d1) return undefined;
    }
    let stride = old[group[group.length - 1]!]![1];
    for (let k = newGroup.length - 1; k >= 0; k--) {
      const axis = newGroup[k]!;
      strides[axis] = shape[axis] === 1 ? 0 : stride;
      stride *= shape[axis]!;
    }
    o++;
    n++;
  }
  return { shape: [...shape], strides, offset: v.offset };
}
