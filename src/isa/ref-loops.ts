import { broadcastStrides, type Shape, sizeOf, stridesOf } from "../ir/shape.js";

/**
 * Loops shared by reference semantics. They favour obviousness over speed: `ref` is the
 * oracle, and fast kernels belong to targets.
 */

/** For each element of `target` (row-major), the flat index it reads from an operand of `shape`. */
export function broadcastIndex(shape: Shape, target: Shape): Int32Array {
  const n = sizeOf(target);
  const strides = broadcastStrides(shape, target);
  const out = new Int32Array(n);
  const idx = new Array<number>(target.length).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = src;
    for (let d = target.length - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < target[d]!) break;
      src -= strides[d]! * idx[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Visits every multi-index of `shape` in row-major order with its flat position. */
export function forEachIndex(shape: Shape, visit: (index: readonly number[], flat: number) => void): void {
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(idx, i);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Flat index of a multi-index under the given strides. */
export function flatIndex(index: readonly number[], strides: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < index.length; d++) f += index[d]! * strides[d]!;
  return f;
}

/**
 * Groups the elements of `shape` by reduction: for a reduction over `axes` (sorted),
 * `outIndexOf[i]` is the output position element i folds into.
 */
export function reductionIndex(shape: Shape, axes: readonly number[]): Int32Array {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const out = new Int32Array(sizeOf(shape));
  forEachIndex(shape, (index, flat) => {
    out[flat] = flatIndex(index, keptStrides);
  });
  return out;
}

/**
 * Visits each lane of `shape` along `axis` (all elements that differ only in that axis),
 * giving the flat index of the lane's first element and the stride between its elements.
 */
export function forEachLane(
  shape: Shape,
  axis: number,
  visit: (start: number, stride: number, length: number) => void,
): void {
  const outer = sizeOf(shape.slice(0, axis));
  const length = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) visit(o * length * inner + i, inner, length);
  }
}
