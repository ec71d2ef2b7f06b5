import type { Expr } from "../../compiler/kernels/kernel-ir.js";
import type { Leaf } from "./c-expr.js";

/** The leaves of an expression (loads, iota, random numbers), each once, in evaluation order. */
export function leavesOf(e: Expr, out: Leaf[] = []): Leaf[] {
  switch (e.kind) {
    case "load":
    case "iota":
    case "random":
      if (!out.includes(e)) out.push(e);
      break;
    case "op":
    case "where":
      for (const a of e.args) leavesOf(a, out);
      break;
    case "cast":
      leavesOf(e.arg, out);
      break;
    case "const":
    case "reduced":
      break;
  }
  return out;
}
