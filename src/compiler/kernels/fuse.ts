import type { DType } from "../../ir/dtype.js";
import { sizeOf } from "../../ir/shape.js";
import { isScalarOp } from "../../isa/scalar-ops.js";
import type { Program, ProgramStep } from "../program.js";
import { exprSize, hasArithmetic, mapViews } from "./expr.js";
import { fuseMatmulEpilogues } from "./fuse-matmul-epilogues.js";
import { fuseReductions } from "./fuse-reductions.js";
import type { BufferInfo, Expr, Kernel, KernelProgram, MatmulKernel } from "./kernel-ir.js";
import {
  contiguousView,
  expandView,
  flipView,
  isContiguous,
  permuteView,
  reshapeView,
  sliceView,
  type View,
} from "./view.js";

/** Beyond this many nodes an expression is written out, to keep kernels small. */
const MAX_FUSED_NODES = 64;

type Value =
  | { readonly kind: "buffer"; readonly buffer: number; readonly view: View; readonly dtype: DType }
  | {
      readonly kind: "expr";
      readonly expr: Expr;
      readonly shape: readonly number[];
      readonly fused: string[];
    };

export interface FuseOptions {
  /** Turn fusion off (each instruction its own kernel), for measuring what fusion buys. */
  readonly fuse?: boolean;
  /**
   * Copy matmul's B into column panels of this width before the product, for targets whose
   * kernels sweep a K×panel slice of B: rows of B a power-of-two apart map to the same few
   * cache sets, while a packed panel is read sequentially. Only when A has at least 32 rows,
   * so the copy costs under 3% of the product.
   */
  readonly packPanel?: number;
  /**
   * Move elementwise work into the reductions and matmuls it follows (reduction finalize and
   * epilogue, matmul epilogue). Off unless the target renders those kernel fields.
   */
  readonly epilogues?: boolean;
}

/**
 * Groups a program's instructions into kernels:
 * - chains of elementwise instructions become one expression, evaluated in one loop;
 * - movement instructions become views (index arithmetic), not copies, where possible;
 * - a reduction takes its elementwise prologue into its loop;
 * - matmul reads its operands through views (transposes cost nothing);
 * - anything else is an instruction kernel, run whole (the target's own kernel, or `ref`).
 * A value is written to a buffer only when it must be: a program output, an operand of
 * a matmul or instruction kernel, or an intermediate with arithmetic used more than once.
 */
export function fuseProgram(program: Program, options: FuseOptions = {}): KernelProgram {
  const fuse = options.fuse ?? true;
  const buffers: BufferInfo[] = [];
  const kernels: Kernel[] = [];
  const values = new Map<number, Value>();
  const uses = new Map<number, number>();
  for (const step of program.steps) for (const s of step.inputs) uses.set(s, (uses.get(s) ?? 0) + 1);
  for (const s of program.outputSlots) uses.set(s, (uses.get(s) ?? 0) + 1);

  const newBuffer = (shape: readonly number[], dtype: DType) => {
    buffers.push({ size: sizeOf(shape), dtype });
    return buffers.length - 1;
  };

  const inputs = program.inputSlots.map((slot) => {
    const info = program.slots[slot]!;
    const buffer = newBuffer(info.shape, info.dtype);
    values.set(slot, { kind: "buffer", buffer, view: contiguousView(info.shape), dtype: info.dtype });
    return buffer;
  });

  const asExpr = (v: Value): { expr: Expr; fused: string[] } =>
    v.kind === "expr"
      ? { expr: v.expr, fused: v.fused }
      : { expr: { kind: "load", buffer: v.buffer, view: v.view, dtype: v.dtype }, fused: [] };

  /**
   * Writes a value to a new contiguous buffer, unless it already is the whole of one
   * (a contiguous slice starting inside a buffer is not: readers expect element 0 at the start).
   */
  const materialize = (v: Value, force = false): Extract<Value, { kind: "buffer" }> => {
    const whole =
      v.kind === "buffer" &&
      isContiguous(v.view) &&
      v.view.offset === 0 &&
      buffers[v.buffer]!.size === sizeOf(v.view.shape);
    if (whole && !force) return v as Extract<Value, { kind: "buffer" }>;
    // A value several consumers need written out is written once.
    const done = written.get(v);
    if (done && !force) return done;
    const shape = v.kind === "buffer" ? v.view.shape : v.shape;
    const { expr, fused } = asExpr(v);
    const out = newBuffer(shape, expr.dtype);
    kernels.push({ kind: "elementwise", out, shape, expr, fused: fused.length ? fused : ["copy"] });
    const result: Extract<Value, { kind: "buffer" }> = {
      kind: "buffer",
      buffer: out,
      view: contiguousView(shape),
      dtype: expr.dtype,
    };
    written.set(v, result);
    return result;
  };
  const written = new WeakMap<Value, Extract<Value, { kind: "buffer" }>>();

  const moved = (v: Value, f: (view: View) => View | undefined): Value => {
    if (v.kind === "buffer") {
      const view = f(v.view);
      if (view) return { ...v, view };
      const copy = materialize(v, true);
      return { ...copy, view: f(copy.view)! };
    }
    const expr = mapViews(v.expr, f);
    if (expr) return { ...v, expr, shape: f(contiguousView(v.shape))!.shape };
    const copy = materialize(v);
    return { ...copy, view: f(copy.view)! };
  };

  const broadcastExpr = (v: Value, shape: readonly number[]) => {
    const { expr, fused } = asExpr(v);
    return { expr: mapViews(expr, (view) => expandView(view, shape))!, fused };
  };

  const valueAt = (slot: number) => values.get(slot)!;

  const elementwise = (step: ProgramStep, shape: readonly number[], dtype: DType): Value => {
    const name = step.instruction.name;
    const args = step.inputs.map((s) => broadcastExpr(valueAt(s), shape));
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
      const seed = materialize(valueAt(step.inputs[0]!));
      const distribution = name === "randomUniform" ? "uniform" : "normal";
      expr = { kind: "random", distribution, seedBuffer: seed.buffer, view, dtype: "float32" };
    }
    return { kind: "expr", expr, shape, fused };
  };

  const isElementwise = (name: string) =>
    isScalarOp(name) || ["where", "cast", "full", "arange", "randomUniform", "randomNormal"].includes(name);

  for (const step of program.steps) {
    const info = program.slots[step.output]!;
    const name = step.instruction.name;
    const attrs = step.attrs;
    const input = (i: number) => valueAt(step.inputs[i]!);
    let result: Value;
    // Integer matmul is rare enough to run on its reference semantics.
    const kind = name === "matmul" && info.dtype !== "float32" ? "instruction" : name;
    switch (kind) {
      case "reshape":
        result = moved(input(0), (v) => reshapeView(v, info.shape));
        break;
      case "permute":
        result = moved(input(0), (v) => permuteView(v, attrs.axes as number[]));
        break;
      case "expand":
        result = moved(input(0), (v) => expandView(v, info.shape));
        break;
      case "slice":
        result = moved(input(0), (v) =>
          sliceView(v, attrs.starts as number[], attrs.ends as number[], attrs.steps as number[]),
        );
        break;
      case "flip":
        result = moved(input(0), (v) => flipView(v, attrs.axes as number[]));
        break;
      case "sum":
      case "reduceMax": {
        const x = input(0);
        const { expr, fused } = asExpr(x);
        const out = newBuffer(info.shape, info.dtype);
        const inShape = x.kind === "buffer" ? x.view.shape : x.shape;
        // sum of bools counts them in int32
        const body: Expr = expr.dtype === "bool" ? { kind: "cast", arg: expr, dtype: "int32" } : expr;
        kernels.push({
          kind: "reduce",
          op: name === "sum" ? "sum" : "max",
          out,
          shape: inShape,
          axes: attrs.axes as number[],
          expr: body,
          fused: [...fused, name],
        });
        result = { kind: "buffer", buffer: out, view: contiguousView(info.shape), dtype: info.dtype };
        break;
      }
      case "pad": {
        // Fill with the pad value, then write the (possibly fused) operand into the interior.
        const out = newBuffer(info.shape, info.dtype);
        const value = attrs.value as number;
        kernels.push({
          kind: "elementwise",
          out,
          shape: info.shape,
          expr: { kind: "const", value, dtype: info.dtype },
          fused: ["pad"],
        });
        const { expr, fused } = asExpr(input(0));
        const before = attrs.before as number[];
        const inner = sliceView(
          contiguousView(info.shape),
          before,
          before.map((b, i) => b + inShapeOf(input(0))[i]!),
          before.map(() => 1),
        );
        kernels.push({
          kind: "elementwise",
          out,
          shape: inner.shape,
          outView: inner,
          expr,
          fused: [...fused, "pad"],
        });
        result = { kind: "buffer", buffer: out, view: contiguousView(info.shape), dtype: info.dtype };
        break;
      }
      case "concat": {
        const out = newBuffer(info.shape, info.dtype);
        const axis = attrs.axis as number;
        let offset = 0;
        step.inputs.forEach((slot) => {
          const part = valueAt(slot);
          const shape = inShapeOf(part);
          const starts = shape.map((_, i) => (i === axis ? offset : 0));
          const region = sliceView(
            contiguousView(info.shape),
            starts,
            shape.map((d, i) => starts[i]! + d),
            shape.map(() => 1),
          );
          const { expr, fused } = asExpr(part);
          kernels.push({
            kind: "elementwise",
            out,
            shape,
            outView: region,
            expr,
            fused: [...fused, "concat"],
          });
          offset += shape[axis]!;
        });
        result = { kind: "buffer", buffer: out, view: contiguousView(info.shape), dtype: info.dtype };
        break;
      }
      case "matmul": {
        const a = materializeIfExpr(input(0));
        const bIn = materializeIfExpr(input(1));
        const batch = info.shape.slice(0, -2);
        const out = newBuffer(info.shape, info.dtype);
        const aView = expandView(a.view, [...batch, ...a.view.shape.slice(-2)]);
        const toBatch = (v: View) => expandView(v, [...batch, ...v.shape.slice(-2)]);
        let operands = foldSharedRightOperand(aView, toBatch(bIn.view));
        const panel = options.packPanel;
        let bOperand: MatmulKernel["b"];
        if (
          panel &&
          operands.a.shape.at(-2)! >= 32 &&
          operands.shape.at(-1)! >= panel &&
          info.dtype === "float32"
        ) {
          // Packing reads B through any view, a transposed weight included.
          bOperand = packPanels(bIn.buffer, operands.b, panel);
        } else if (operands.b.strides.at(-1) === 1 || operands.b.shape.at(-1) === 1) {
          bOperand = { buffer: bIn.buffer, view: operands.b };
        } else {
          // Kernels stream rows of B: a B read across its rows (a transpose) is copied first.
          const b = materialize(bIn, true);
          operands = foldSharedRightOperand(aView, toBatch(b.view));
          bOperand = { buffer: b.buffer, view: operands.b };
        }
        kernels.push({
          kind: "matmul",
          out,
          a: { buffer: a.buffer, view: operands.a },
          b: bOperand,
          shape: operands.shape,
          dtype: info.dtype,
          fused: ["matmul"],
        });
        result = { kind: "buffer", buffer: out, view: contiguousView(info.shape), dtype: info.dtype };
        break;
      }
      default: {
        if (isElementwise(name)) {
          result = elementwise(step, info.shape, info.dtype);
          break;
        }
        const operands = step.inputs.map((s) => materialize(valueAt(s)));
        const out = newBuffer(info.shape, info.dtype);
        kernels.push({
          kind: "instruction",
          instruction: step.instruction,
          attrs,
          inputs: operands.map((o) => o.buffer),
          inputShapes: operands.map((o) => o.view.shape),
          out,
          shape: info.shape,
          fused: [name],
        });
        result = { kind: "buffer", buffer: out, view: contiguousView(info.shape), dtype: info.dtype };
      }
    }
    // An expression several users need is computed once, unless it is cheaper to repeat
    // (a bias add read twice by GELU costs less than a round trip through memory).
    if (result.kind === "expr") {
      const shared =
        (uses.get(step.output) ?? 0) > 1 && hasArithmetic(result.expr) && !cheapToRepeat(result.expr);
      if (!fuse || shared || exprSize(result.expr) > MAX_FUSED_NODES) result = materialize(result);
    }
    values.set(step.output, result);
  }

  /** Copies B [...batch, K, N] into zero-padded column panels [...batch, ⌈N/w⌉, K, w]. */
  function packPanels(buffer: number, view: View, width: number) {
    const [k, n] = view.shape.slice(-2) as [number, number];
    const batch = view.shape.slice(0, -2);
    const panels = Math.ceil(n / width);
    let source: View = view;
    let from = buffer;
    if (n % width !== 0) {
      // Widen to a multiple of the panel width: zeros, then B written into the left part.
      const wide = [...batch, k, panels * width];
      from = newBuffer(wide, "float32");
      kernels.push({
        kind: "elementwise",
        out: from,
        shape: wide,
        expr: { kind: "const", value: 0, dtype: "float32" },
        fused: ["pack"],
      });
      const region = sliceView(
        contiguousView(wide),
        wide.map(() => 0),
        [...batch, k, n],
        wide.map(() => 1),
      );
      const load: Expr = { kind: "load", buffer, view, dtype: "float32" };
      kernels.push({
        kind: "elementwise",
        out: from,
        shape: view.shape,
        outView: region,
        expr: load,
        fused: ["pack"],
      });
      source = contiguousView(wide);
    }
    const split = reshapeView(source, [...batch, k, panels, width])!;
    const r = batch.length;
    const panelMajor = permuteView(split, [...batch.keys(), r + 1, r, r + 2]);
    const packedShape = [...batch, panels, k, width];
    const packed = newBuffer(packedShape, "float32");
    kernels.push({
      kind: "elementwise",
      out: packed,
      shape: packedShape,
      expr: { kind: "load", buffer: from, view: panelMajor, dtype: "float32" },
      fused: ["pack"],
    });
    return { buffer: packed, view: contiguousView(packedShape), packedPanel: width };
  }

  function inShapeOf(v: Value): readonly number[] {
    return v.kind === "buffer" ? v.view.shape : v.shape;
  }

  function materializeIfExpr(v: Value) {
    return v.kind === "expr" ? materialize(v) : v;
  }

  // Outputs are fresh contiguous buffers, distinct from inputs and from each other.
  const taken = new Set<number>(inputs);
  const outputs = program.outputSlots.map((slot) => {
    let m = materialize(valueAt(slot));
    if (taken.has(m.buffer)) m = materialize(m, true);
    taken.add(m.buffer);
    return m.buffer;
  });
  const program_: KernelProgram = { buffers, inputs, outputs, kernels };
  return fuse && options.epilogues ? fuseMatmulEpilogues(fuseReductions(program_)) : program_;
}

/**
 * x[..., M, K] @ w[K, N] with w the same for every batch (a linear layer) is one
 * [batch·M, K] @ [K, N] product when x's batches lie one after another in memory: one
 * large matmul instead of many small ones.
 */
function foldSharedRightOperand(a: View, b: View): { a: View; b: View; shape: number[] } {
  const r = a.shape.length;
  const [m, k] = [a.shape[r - 2]!, a.shape[r - 1]!];
  const n = b.shape[r - 1]!;
  const batch = a.shape.slice(0, -2);
  const count = batch.reduce((x, y) => x * y, 1);
  const shared = b.strides.slice(0, -2).every((s) => s === 0);
  const folded = shared && r > 2 ? reshapeView(a, [count * m, k]) : undefined;
  if (!folded) return { a, b, shape: [...batch, m, n] };
  const b2: View = { shape: b.shape.slice(-2), strides: b.strides.slice(-2), offset: b.offset };
  return { a: folded, b: b2, shape: [count * m, n] };
}

/** A couple of basic arithmetic operations on loads and constants. */
function cheapToRepeat(e: Expr): boolean {
  const cheapOps = new Set(["add", "sub", "mul", "neg"]);
  const ok = (x: Expr): boolean =>
    x.kind === "load" || x.kind === "const" || (x.kind === "op" && cheapOps.has(x.op) && x.args.every(ok));
  return exprSize(e) <= 3 && ok(e);
}
