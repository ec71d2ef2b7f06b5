import type { Leaf } from "../../compiler/kernels/expr.js";
import { cType } from "./c-expr.js";
import type { KernelParams } from "./kernel-params.js";

/**
 * How generated loops read an expression's leaves. Each leaf has a position: its view's
 * offset plus Σ counter·stride over the loops around the innermost one, set once per
 * inner loop; the inner loop then reads at position + j·(inner stride).
 *
 * The inner stride's class is part of the kernel's structure (it decides whether the
 * loop vectorises): 0 (a broadcast value, read once), 1 (contiguous), or any other
 * value, read from the parameters. Every other number comes from the parameters.
 */
export type StrideClass = "0" | "1" | "n";

export function strideClass(stride: number): StrideClass {
  return stride === 0 ? "0" : stride === 1 ? "1" : "n";
}

export interface LeafPlan {
  readonly leaf: Leaf;
  /** Index among the kernel's leaves: names its C variables. */
  readonly index: number;
  readonly inner: StrideClass;
}

/**
 * Declarations at the top of the kernel: the leaf's buffer (loads), seed (random numbers)
 * or start and step (iota), and its inner stride when it is not 0 or 1.
 */
export function declareLeaf(
  plan: LeafPlan,
  innerStride: number,
  params: KernelParams,
  bufferOffset: (buffer: number) => number,
): string[] {
  const { leaf, index: i } = plan;
  const lines: string[] = [];
  if (leaf.kind === "load") {
    const t = cType(leaf.dtype);
    lines.push(
      `const ${t} *const b${i} = (const ${t} *)(arena + ${params.buffer(leaf.buffer, bufferOffset(leaf.buffer))});`,
    );
  } else if (leaf.kind === "random") {
    lines.push(
      `const uint32_t seed${i} = *(const uint32_t *)(arena + ${params.buffer(leaf.seedBuffer, bufferOffset(leaf.seedBuffer))});`,
    );
  } else if (leaf.dtype === "float32") {
    lines.push(`const double start${i} = ${params.f64(leaf.start)}, step${i} = ${params.f64(leaf.step)};`);
  } else {
    lines.push(
      `const int32_t start${i} = (int32_t)${params.int(leaf.start)}, step${i} = (int32_t)${params.int(leaf.step)};`,
    );
  }
  if (plan.inner === "n") lines.push(`const int64_t s${i} = ${params.int(innerStride)};`);
  return lines;
}

/**
 * The statement that places a leaf for the inner loop: `position` is a C int64 expression
 * (offset + Σ counter·stride). Loads get a pointer, the others an index.
 */
export function placeLeaf(plan: LeafPlan, position: string): string {
  const { leaf, index: i } = plan;
  if (leaf.kind === "load") {
    const t = cType(leaf.dtype);
    return `const ${t} *restrict l${i} = b${i} + (${position});`;
  }
  return `const int64_t q${i} = ${position};`;
}

/** The leaf's value at inner position `j` (a C expression). */
export function readLeaf(plan: LeafPlan, j: string): string {
  const { leaf, index: i, inner } = plan;
  const offset = inner === "0" ? "0" : inner === "1" ? j : `${j} * s${i}`;
  if (leaf.kind === "load") return leaf.dtype === "bool" ? `(int)l${i}[${offset}]` : `l${i}[${offset}]`;
  const at = `(q${i} + ${offset})`;
  if (leaf.kind === "random") {
    return `${leaf.distribution === "uniform" ? "rnd_uniform" : "rnd_normal"}(seed${i}, (uint32_t)${at})`;
  }
  if (leaf.dtype === "float32") return `((float)((double)(int32_t)${at} * step${i} + start${i}))`;
  return `i_add(i_mul((int32_t)${at}, step${i}), start${i})`;
}

/** offset + Σ counter·stride, with every number a parameter. */
export function positionExpr(
  params: KernelParams,
  offset: number | string,
  terms: readonly (readonly [counter: string, stride: number])[],
): string {
  const parts = [typeof offset === "number" ? params.int(offset) : offset];
  for (const [counter, stride] of terms) if (stride !== 0) parts.push(`${counter} * ${params.int(stride)}`);
  return parts.join(" + ");
}
