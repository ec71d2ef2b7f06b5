import type { ProgramStep } from "../../program.js";
import type { Expr, MatmulKernel } from "../kernel-ir.js";
import { contiguousView, expandView, permuteView, reshapeView, sliceView, type View } from "../view.js";
import type { Fusion, Value } from "./fusion.js";

/**
 * A float32 matmul reads its operands through views (transposes cost nothing), folds the
 * batch into rows when the right operand is shared (a linear layer), and with `packPanel`
 * reads B from column panels the compiler packs first: when A has more than
 * `packRowsAbove` rows (the kernel would otherwise pack B for each block of rows), or when
 * B is read across its rows (packing is then the copy the kernel needs anyway).
 */
export function fuseMatmul(
  step: ProgramStep,
  f: Fusion,
  packPanel: number | undefined,
  packRowsAbove: number,
): Value {
  const info = f.program.slots[step.output]!;
  const a = f.materializeIfExpr(f.input(step, 0));
  const bIn = f.materializeIfExpr(f.input(step, 1));
  const batch = info.shape.slice(0, -2);
  const out = f.newBuffer(info.shape, info.dtype);
  const toBatch = (v: View) => expandView(v, [...batch, ...v.shape.slice(-2)]);
  const aView = toBatch(a.view);
  let operands = foldSharedRightOperand(aView, toBatch(bIn.view));
  let bOperand: MatmulKernel["b"];
  const rowsContiguous = operands.b.strides.at(-1) === 1 || operands.b.shape.at(-1) === 1;
  if (
    packPanel &&
    operands.a.shape.at(-2)! >= 32 &&
    (operands.a.shape.at(-2)! > packRowsAbove || !rowsContiguous) &&
    operands.shape.at(-1)! >= packPanel &&
    info.dtype === "float32"
  ) {
    // Packing reads B through any view, a transposed weight included.
    bOperand = packPanels(f, bIn.buffer, operands.b, packPanel);
  } else if (rowsContiguous) {
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

/**
 * Copies B [...batch, K, N] into column panels [...batch, ⌈N/w⌉, K, w]: one pass over B for
 * the whole panels, and when N is not a multiple of w, the last panel zeroed and its
 * columns written (two small kernels), instead of widening all of B first.
 */
function packPanels(f: Fusion, buffer: number, view: View, width: number): MatmulKernel["b"] {
  const [k, n] = view.shape.slice(-2) as [number, number];
  const batch = view.shape.slice(0, -2);
  const r = batch.length;
  const whole = Math.floor(n / width);
  const panels = Math.ceil(n / width);
  const packedShape = [...batch, panels, k, width];
  const packed = f.newBuffer(packedShape, "float32");
  const zeros = (shape: readonly number[]) => shape.map(() => 0);
  const ones = (shape: readonly number[]) => shape.map(() => 1);
  /** Panels [from, to) of the packed buffer, columns [0, columns) of each. */
  const panelRegion = (from: number, to: number, columns: number) =>
    sliceView(
      contiguousView(packedShape),
      [...zeros(batch), from, 0, 0],
      [...batch, to, k, columns],
      ones(packedShape),
    );
  const write = (shape: readonly number[], outView: View, expr: Expr) =>
    f.kernels.push({ kind: "elementwise", out: packed, shape, outView, expr, fused: ["pack"] });
  /** Columns [from, to) of B, as [...batch, panels, k, columns per panel]. */
  const columnsOf = (from: number, to: number, perPanel: number) => {
    const part = sliceView(view, [...zeros(batch), 0, from], [...batch, k, to], ones(view.shape));
    const split = reshapeView(part, [...batch, k, (to - from) / perPanel, perPanel])!;
    return permuteView(split, [...batch.keys(), r + 1, r, r + 2]);
  };
  if (whole > 0) {
    const shape = [...batch, whole, k, width];
    write(shape, panelRegion(0, whole, width), {
      kind: "load",
      buffer,
      view: columnsOf(0, whole * width, width),
      dtype: "float32",
    });
  }
  const rest = n - whole * width;
  if (rest > 0) {
    write([...batch, 1, k, width], panelRegion(whole, panels, width), {
      kind: "const",
      value: 0,
      dtype: "float32",
    });
    write([...batch, 1, k, rest], panelRegion(whole, panels, rest), {
      kind: "load",
      buffer,
      view: columnsOf(whole * width, n, rest),
      dtype: "float32",
    });
  }
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
