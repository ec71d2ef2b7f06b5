import { isScalarOp } from "../../../isa/scalar-ops.js";
import type { ProgramStep } from "../../program.js";
import type { Expr } from "../kernel-ir.js";
import { contiguousView } from "../view.js";
import type { Fusion, Value } from "./fusion.js";

/** Instructions whose output element i is an expression of element i of their (broadcast) operands. */
export function isElementwise(name: string): boolean {
  return (
    isScalarOp(name) || ["where", "cast", "full", "arange", "randomUniform", "randomNormal"].includes(name)
  );
}

/** An elementwise instruction becomes an expression over its operands' expressions: fused, not yet written. */
export function fuseElementwise(step: ProgramStep, f: Fusion): Value {
  const { shape, dtype } = f.program.slots[step.output]!;
  const name = step.instruction.name;
  const args = step.inputs.map((s) => f.broadcastExpr(f.valueAt(s), shape));
  const fused = [...new Set(args.flatMap((a) => a.fused)), name];
  const a = args.map((x) => x.expr);
  const view = contiguousView(shape);
  let expr: Expr;
  if (isScalarOp(name)) expr = { kind: "op", op: name, args: a, dtype };
  else if (name === "where") expr = { kind: "where", args: [a[0]!, a[1]!, a[2]!], dtype };
  else if (name === "cast") expr = { kind: "cast", arg: a[0]!, dtype };
  else if (name === "full") expr = { kind: "const", value: step.attrs.value as number, dtype };
  else if (name === "arange") {
    expr = {
      kind: "iota",
      start: step.attrs.start as number,
      step: step.attrs.step as number,
      view,
      dtype,
    };
  } else {
    const seed = f.materialize(f.input(step, 0));
    const distribution = name === "randomUniform" ? "uniform" : "normal";
    expr = { kind: "random", distribution, seedBuffer: seed.buffer, view, dtype: "float32" };
  }
  return { kind: "expr", expr, shape, fused };
}
