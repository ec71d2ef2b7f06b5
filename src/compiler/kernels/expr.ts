import type { Expr } from "./kernel-ir.js";

/** An expression's inputs: what it reads from buffers or counters. */
export type Leaf = Extract<Expr, { kind: "load" | "iota" | "random" }>;

import type { View } from "./view.js";

/** Applies a view transformation to every leaf of an expression; undefined if one leaf cannot take it. */
export function mapViews(e: Expr, f: (v: View) => View | undefined): Expr | undefined {
  switch (e.kind) {
    case "const":
    case "reduced":
      return e;
    case "load":
    case "iota":
    case "random": {
      const view = f(e.view);
      return view && { ...e, view };
    }
    case "op": {
      const args = e.args.map((a) => mapViews(a, f));
      return args.every((a) => a !== undefined) ? { ...e, args: args as Expr[] } : undefined;
    }
    case "where": {
      const args = e.args.map((a) => mapViews(a, f));
      return args.every((a) => a !== undefined) ? { ...e, args: args as [Expr, Expr, Expr] } : undefined;
    }
    case "cast": {
      const arg = mapViews(e.arg, f);
      return arg && { ...e, arg };
    }
  }
}

/** Number of nodes, to bound how much one kernel fuses. */
export function exprSize(e: Expr): number {
  switch (e.kind) {
    case "op":
    case "where":
      return 1 + e.args.reduce((s, a) => s + exprSize(a), 0);
    case "cast":
      return 1 + exprSize(e.arg);
    default:
      return 1;
  }
}

/** True when evaluating the expression twice would repeat arithmetic (not just reads). */
export function hasArithmetic(e: Expr): boolean {
  return e.kind === "op" || e.kind === "where" || e.kind === "cast" || e.kind === "random";
}

/** Every view in the expression (for choosing loop structure). */
export function exprViews(e: Expr, out: View[] = []): View[] {
  switch (e.kind) {
    case "load":
    case "iota":
    case "random":
      out.push(e.view);
      break;
    case "op":
    case "where":
      for (const a of e.args) exprViews(a, out);
      break;
    case "cast":
      exprViews(e.arg, out);
      break;
    case "const":
    case "reduced":
      break;
  }
  return out;
}

/** The expression with every node for which `replace` returns a value replaced by it. */
export function substitute(e: Expr, replace: (x: Expr) => Expr | undefined): Expr {
  const r = replace(e);
  if (r) return r;
  switch (e.kind) {
    case "op":
      return { ...e, args: e.args.map((a) => substitute(a, replace)) };
    case "where":
      return { ...e, args: e.args.map((a) => substitute(a, replace)) as [Expr, Expr, Expr] };
    case "cast":
      return { ...e, arg: substitute(e.arg, replace) };
    default:
      return e;
  }
}

/** Buffers the expression reads. */
export function exprBuffers(e: Expr): number[] {
  switch (e.kind) {
    case "load":
      return [e.buffer];
    case "random":
      return [e.seedBuffer];
    case "op":
    case "where":
      return e.args.flatMap(exprBuffers);
    case "cast":
      return exprBuffers(e.arg);
    default:
      return [];
  }
}

/**
 * The leaves of an expression (loads, iota, random numbers) in evaluation order: each
 * once, or with `unique` false each occurrence (in step with `exprViews`).
 */
export function exprLeaves(e: Expr, unique = true, out: Leaf[] = []): Leaf[] {
  switch (e.kind) {
    case "load":
    case "iota":
    case "random":
      if (!unique || !out.includes(e)) out.push(e);
      break;
    case "op":
    case "where":
      for (const a of e.args) exprLeaves(a, unique, out);
      break;
    case "cast":
      exprLeaves(e.arg, unique, out);
      break;
    case "const":
    case "reduced":
      break;
  }
  return out;
}
