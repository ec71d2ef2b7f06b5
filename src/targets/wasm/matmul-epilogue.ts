import { exprLeaves, exprViews } from "../../compiler/kernels/expr.js";
import type { Expr, MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import type { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { type ExprContext, emitScalar, emitVector, type LeafSlot, vectorizable } from "./expr-codegen.js";
import type { RenderContext } from "./render-elementwise.js";

/**
 * A fused epilogue: each leaf is read at (row i + r, column jj + c) through its view;
 * `apply` replaces a product local by the epilogue's value.
 */
export function matmulEpilogue(
  kernel: MatmulKernel,
  ctx: RenderContext,
  cw: CodeWriter,
  i: number,
  jj: number,
  base: (buffer: number) => number,
) {
  const expr = kernel.epilogue;
  if (!expr) return undefined;
  const leaves = exprLeaves(expr, false);
  const views = exprViews(expr);
  const bases = leaves.map(() => cw.local(ValType.i32));
  const column = cw.local(ValType.i32);
  const context: ExprContext = {
    ...ctx,
    base,
    cw,
    leaves: new Map<Expr, LeafSlot>(
      leaves.map((l, k) => [l, { base: bases[k]!, stride: views[k]!.strides[1]! }]),
    ),
    j: column,
  };
  // An epilogue that cannot run four lanes at a time (it reads a bool mask: one byte per
  // element) runs lane by lane on a vector of products.
  const lanewise = !vectorizable(expr, context.leaves);
  const lane = lanewise ? cw.local(ValType.f32) : -1;
  const evaluate = (value: number, vector: boolean) => {
    if (vector && lanewise) {
      for (let l = 0; l < 4; l++) {
        if (l > 0) cw.get(column).i32(1).op(Op.i32_add).set(column);
        cw.get(value).lane(SimdOp.f32x4_extract_lane, l).set(lane);
        cw.get(value);
        emitScalar({ ...context, reduced: lane, reducedIsVector: false }, expr);
        cw.lane(SimdOp.f32x4_replace_lane, l).set(value);
      }
      cw.get(column).i32(3).op(Op.i32_sub).set(column);
      return;
    }
    const ectx = { ...context, reduced: value, reducedIsVector: vector };
    if (vector) emitVector(ectx, expr);
    else emitScalar(ectx, expr);
    cw.set(value);
  };
  return {
    column,
    setBases(row: number) {
      views.forEach((v, k) => {
        cw.i32(v.offset).get(i);
        if (row) cw.i32(row).op(Op.i32_add);
        cw.i32(v.strides[0]!).op(Op.i32_mul).op(Op.i32_add);
        if (v.strides[1]) cw.get(jj).op(Op.i32_add);
        cw.set(bases[k]!);
      });
    },
    /** At a column offset known when rendering. */
    apply(value: number, columnOffset: number, vector: boolean) {
      cw.i32(columnOffset).set(column);
      evaluate(value, vector);
    },
    /** At the column offset already in `column`. */
    applyDynamic: evaluate,
  };
}
