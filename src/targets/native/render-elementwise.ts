import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { ElementwiseKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import { cExpr, cType } from "./c-expr.js";
import {
  declareLeaf,
  type LeafPlan,
  placeLeaf,
  positionExpr,
  readLeaf,
  strideClass,
} from "./c-leaf-access.js";
import { KernelParams } from "./kernel-params.js";
import { loopNestSource, type RenderedNativeKernel } from "./native-kernel.js";

/**
 * An elementwise kernel as a C loop nest: loops over all but the innermost axis (after
 * merging axes that every operand walks contiguously, as the wasm target does), and an
 * innermost loop written as plain scalar code over restrict pointers, which the compiler
 * vectorises for the machine's vector width when the strides allow.
 *
 * Tiles split the first axis, or the inner axis when there is no other, exactly as the
 * wasm kernels do. Every element is computed by the same operations whichever tile it
 * falls in, so results do not depend on the thread count.
 */
export function renderElementwise(
  kernel: ElementwiseKernel,
  bufferOffset: (buffer: number) => number,
): RenderedNativeKernel | undefined {
  if (kernel.shape.some((d) => d === 0)) return undefined;
  const leaves = exprLeaves(kernel.expr);
  const out = kernel.outView ?? contiguousView(kernel.shape);
  const views = leaves.map((l) => l.view);
  const merged = coalesceAxes(kernel.shape, [...views.map((v) => [...v.strides]), [...out.strides]]);
  const dims = merged.shape.length ? merged.shape : [1];
  const strides = merged.shape.length ? merged.strides : merged.strides.map(() => [0]);
  const rank = dims.length;
  const inner = rank - 1;
  const params = new KernelParams();
  const plans: LeafPlan[] = leaves.map((leaf, index) => ({
    leaf,
    index,
    inner: strideClass(strides[index]![inner]!),
  }));
  const outStrides = strides[leaves.length]!;
  const outClass = strideClass(outStrides[inner]!);
  const t = cType(kernel.expr.dtype);

  const top: string[] = ["char *const arena = (char *)(intptr_t)p[0];"];
  plans.forEach((plan) => {
    top.push(...declareLeaf(plan, strides[plan.index]![inner]!, params, bufferOffset));
  });
  top.push(`${t} *const bo = (${t} *)(arena + ${params.buffer(kernel.out, bufferOffset(kernel.out))});`);
  if (outClass === "n") top.push(`const int64_t so = ${params.int(outStrides[inner]!)};`);
  // The inner axis runs over the tile range when it is the only axis.
  const tiledInner = rank === 1;
  const innerEnd = tiledInner ? "end" : params.int(dims[inner]!);
  const innerBegin = tiledInner ? "begin" : "0";

  // Outer loops: the first over the tile range, the others over their extents.
  const counters = dims.slice(0, inner).map((_, d) => `i${d}`);
  const loops = counters.map((c, d) =>
    d === 0
      ? `for (int64_t ${c} = begin; ${c} < end; ${c}++)`
      : `for (int64_t ${c} = 0; ${c} < ${params.int(dims[d]!)}; ${c}++)`,
  );
  const terms = (s: readonly number[]) => counters.map((c, d) => [c, s[d]!] as const);
  const place = plans.map((plan) =>
    placeLeaf(plan, positionExpr(params, views[plan.index]!.offset, terms(strides[plan.index]!))),
  );
  place.push(`${t} *restrict o = bo + (${positionExpr(params, out.offset, terms(outStrides))});`);
  const value = cExpr(kernel.expr, (leaf) => readLeaf(plans[leaves.indexOf(leaf)]!, "j"));
  const outAt = outClass === "0" ? "0" : outClass === "1" ? "j" : "j * so";
  const stored = kernel.expr.dtype === "bool" ? `(uint8_t)(${value})` : value;

  const body = [
    ...place,
    "#pragma GCC ivdep",
    `for (int64_t j = ${innerBegin}; j < ${innerEnd}; j++) o[${outAt}] = ${stored};`,
  ];
  const source = loopNestSource({ top, loops, body });
  return { code: { source, contract: false }, params, units: dims[0]! };
}
