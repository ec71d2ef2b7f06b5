import type { Expr } from "../kernel-ir.js";
import { type FuseHandler, shapeOf } from "./fusion.js";

/** A reduction kernel takes its elementwise prologue (the operand's expression) into its loop. */
export const fuseReduce: FuseHandler = (step, f) => {
  const info = f.program.slots[step.output]!;
  const name = step.instruction.name;
  const x = f.input(step, 0);
  const { expr, fused } = f.asExpr(x);
  const out = f.newBuffer(info.shape, info.dtype);
  // sum of bools counts them in int32
  const body: Expr = expr.dtype === "bool" ? { kind: "cast", arg: expr, dtype: "int32" } : expr;
  f.kernels.push({
    kind: "reduce",
    op: name === "sum" ? "sum" : "max",
    out,
    shape: shapeOf(x),
    axes: step.attrs.axes as number[],
    expr: body,
    fused: [...fused, name],
  });
  return f.wholeBuffer(out, info.shape, info.dtype);
};
