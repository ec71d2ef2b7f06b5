import type { ProgramStep } from "../../program.js";
import type { Expr, MatmulKernel } from "../kernel-ir.js";
import { contiguousView, expandView, permuteView, reshapeView, sliceView, type View } from "../view.js";
import type { Fusion, Value } from "./fusion.js";

/**
 * A float32 matmul reads its operands through views (transposes cost nothing), folds the
 * batch into rows when the right operand is shared (a linear layer), and with `packPanel`
 * reads B from column panels the compiler packs first.
 */
export function fuseMatmul(step: ProgramStep, f: Fusion, packPanel: number | undefined): Value {
  const info = f.program.slots[step.output]!;
  const a = f.materializeIfExpr(f.input(step, 0));
  const bIn = f.materializeIfExpr(f.input(step, 1));
  const batch = info.shape.slice(0, -2);
  const out = f.newBuffer(info.shape, info.dtype);
  const toBatch = (v: View) => expandView(v, [...batch, ...v.shape.slice(-2)]);
  const aView = toBatch(a.view);
  let operands = foldSharedRightOperand(aView, toBatch(bIn.view));
  let bOperand: MatmulKernel["b"];
  if (
    packPanel &&
    operands.a.shape.at(-2)! >= 32 &&
    operands.shape.at(-1)! >= packPanel &&
    info.dtype === "float32"
  ) {
    // Packing reads B through any view, a transposed weight included.
    bOperand = packPanels(f, bIn.buffer, operands.b, packPanel);
  } else if (operands.b.strides.at(-1) === 1 || operands.b.shape.at(-1) === 1) {
    bOperand = { buffer: bIn.buffer, view: operands.b };
  } else {
    // Kernels stream rows of B: a B read across its rows (a transpose) is copied first.
    const b = f.materialize(bIn, true);
    operands = foldSharedRightOperand(aView, toBatch(b.view));
    bOperand = { buffer: b.buffer, view: operands.b };
  }
  f.kernels.push({
    kind: "matmul",
    out,
    a: { buffer: a.buffer, view: operands.a },
    b: bOperand,
    shape: operands.shape,
    dtype: info.dtype,
    fused: ["matmul"],
  });
  return f.wholeBuffer(out, info.shape, info.dtype);
}

/** Copies B [...batch, K, N] into zero-padded column panels [...batch, ⌈N/w⌉, K, w]. */
function packPanels(f: Fusion, buffer: number, view: View, width: number): MatmulKernel["b"] {
  const [k, n] = view.shape.slice(-2) as [number, number];
  const batch = view.shape.slice(0, -2);
  const panels = Math.ceil(n / width);
  let source: View = view;
  let from = buffer;
  if (n % width !== 0) {
    // Widen to a multiple of the panel width: zeros, then B written into the left part.
    const wide = [...batch, k, panels * width];
    from = f.newBuffer(wide, "float32");
    f.kernels.push({
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
    f.kernels.push({
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
  const packed = f.newBuffer(packedShape, "float32");
  f.kernels.push({
    kind: "elementwise",
    out: packed,
    shape: packedShape,
    expr: { kind: "load", buffer: from, view: panelMajor, dtype: "float32" },
    fused: ["pack"],
  });
  return { buffer: packed, view: contiguousView(packedShape), packedPanel: width };
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
