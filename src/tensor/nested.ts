import type { Shape } from "../ir/shape.js";

/** Nested JS arrays ↔ flat data + shape. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** Flattens a rectangular nested array; a ragged one is an error naming where it is ragged. */
export function flattenNested(value: NestedArray): { data: number[]; shape: number[] } {
  const shape: number[] = [];
  let probe: NestedArray = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0] as NestedArray;
  }
  const data: number[] = [];
  const walk = (v: NestedArray, depth: number, path: string) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new Error(`tensor: ragged nested array at ${path || "the top"}: too deep`);
      if (typeof v !== "number" && typeof v !== "boolean") {
        throw new Error(`tensor: expected a number at ${path || "the top"}, got ${typeof v}`);
      }
      data.push(Number(v));
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(
        `tensor: ragged nested array at ${path || "the top"}: expected ${shape[depth]} elements, got ${Array.isArray(v) ? v.length : "a scalar"}`,
      );
    }
    v.forEach((x, i) => {
      walk(x, depth + 1, `${path}[${i}]`);
    });
  };
  walk(value, 0, "");
  return { data, shape };
}

/** Builds nested arrays of the given shape from flat row-major data. */
export function unflatten(data: ArrayLike<number>, shape: Shape): NestedArray {
  if (shape.length === 0) return data[0]!;
  let offset = 0;
  const build = (depth: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[depth]!; i++)
      out.push(depth + 1 === shape.length ? data[offset++]! : build(depth + 1));
    return out;
  };
  return build(0);
}
