import { sizeOf, stridesOf } from "../../ir/shape.js";
import { substitute } from "./expr.js";
import { readsOf } from "./kernel-buffers.js";
import type { ElementwiseKernel, Expr, Kernel, KernelProgram, ReduceKernel } from "./kernel-ir.js";

/**
 * Moves elementwise kernels into the reductions they follow:
 * - finalize: an elementwise kernel over the reduced shape that only transforms the reduced
 *   values with constants (mean = sum / n) becomes the reduction's last step;
 * - epilogue: an elementwise kernel over the reduction's full index space that reads the
 *   reduced value broadcast back along the reduced axes (x − max, then exp; e / Σe;
 *   the normalisation of layer norm) is computed in the same kernel, row by row.
 * So softmax, layer norm and cross-entropy take two kernels each.
 */
export function fuseReductions(program: KernelProgram): KernelProgram {
  const kernels: (Kernel | undefined)[] = [...program.kernels];
  const outputs = new Set(program.outputs);
  const readers = (buffer: number, from: number) =>
    kernels.flatMap((k, i) => (k && i > from && readsOf(k).includes(buffer) ? [i] : []));

  for (let i = 0; i < kernels.length; i++) {
    const r = kernels[i];
    if (r?.kind !== "reduce" || r.epilogue) continue;
    let reduce: ReduceKernel = r;

    // finalize
    const [f] = readers(reduce.out, i);
    const candidate = f !== undefined ? kernels[f] : undefined;
    if (
      candidate?.kind === "elementwise" &&
      !outputs.has(reduce.out) &&
      readers(reduce.out, i).length === 1 &&
      !reduce.finalize &&
      isFinalizeOf(candidate, reduce)
    ) {
      reduce = {
        ...reduce,
        out: candidate.out,
        finalize: replaceLoads(candidate.expr, reduce.out, reduce.expr.dtype),
        fused: [...reduce.fused, ...candidate.fused],
      };
      kernels[f!] = undefined;
    }

    // epilogue
    const [e] = readers(reduce.out, i);
    const next = e !== undefined ? kernels[e] : undefined;
    if (next?.kind === "elementwise" && isEpilogueOf(next, reduce, i, kernels, program)) {
      reduce = {
        ...reduce,
        epilogue: { out: next.out, expr: replaceLoads(next.expr, reduce.out, valueDType(reduce)) },
        fused: [...reduce.fused, ...next.fused],
      };
      kernels[e!] = undefined;
    }
    kernels[i] = reduce;
  }
  return { ...program, kernels: kernels.filter((k): k is Kernel => k !== undefined) };
}

function valueDType(r: ReduceKernel) {
  return r.finalize?.dtype ?? r.expr.dtype;
}

/** Leaves: constants and loads of the reduction's output, contiguous over the reduced shape. */
function isFinalizeOf(k: ElementwiseKernel, r: ReduceKernel): boolean {
  const reducedSize = sizeOf(r.shape.filter((_, a) => !r.axes.includes(a)));
  if (k.outView || sizeOf(k.shape) !== reducedSize) return false;
  const contiguous = stridesOf(k.shape);
  const ok = (e: Expr): boolean => {
    switch (e.kind) {
      case "const":
        return true;
      case "load":
        return (
          e.buffer === r.out &&
          e.view.offset === 0 &&
          e.view.shape.every((d, a) => d === 1 || e.view.strides[a] === contiguous[a])
        );
      case "op":
      case "where":
        return e.args.every(ok);
      case "cast":
        return ok(e.arg);
      default:
        return false;
    }
  };
  return ok(k.expr);
}

/**
 * Same index space as the reduction, every read of its output broadcast along the reduced
 * axes, other inputs ready before the reduction runs, and a fresh output buffer.
 */
function isEpilogueOf(
  k: ElementwiseKernel,
  r: ReduceKernel,
  at: number,
  kernels: readonly (Kernel | undefined)[],
  program: KernelProgram,
): boolean {
  if (k.outView || k.shape.length !== r.shape.length || !k.shape.every((d, a) => d === r.shape[a]))
    return false;
  if (valueDType(r) === "bool") return false;
  const written = (b: number) =>
    kernels.findIndex((x) => x !== undefined && x.kind !== "instruction" && x.out === b);
  const keptStrides = broadcastStrides(r);
  let fine = true;
  const visit = (e: Expr) => {
    switch (e.kind) {
      case "load":
        if (e.buffer === r.out) {
          if (
            e.view.offset !== 0 ||
            !e.view.strides.every((s, a) => s === keptStrides[a] || r.shape[a] === 1)
          )
            fine = false;
        } else {
          const w = written(e.buffer);
          if (w > at && !program.inputs.includes(e.buffer)) fine = false;
        }
        break;
      case "random":
        if (written(e.seedBuffer) > at) fine = false;
        break;
      case "op":
      case "where":
        e.args.forEach(visit);
        break;
      case "cast":
        visit(e.arg);
        break;
      default:
        break;
    }
  };
  visit(k.expr);
  const writers = kernels.filter(
    (x) => x !== undefined && x.kind !== "instruction" && x.out === k.out,
  ).length;
  return fine && writers === 1;
}

/** Strides that read the reduced output (contiguous over kept axes) at each full index. */
function broadcastStrides(r: ReduceKernel): number[] {
  const keptShape = r.shape.map((d, a) => (r.axes.includes(a) ? 1 : d));
  return stridesOf(keptShape).map((s, a) => (r.axes.includes(a) ? 0 : s));
}

function replaceLoads(e: Expr, buffer: number, dtype: Expr["dtype"]): Expr {
  return substitute(e, (x) =>
    x.kind === "load" && x.buffer === buffer ? { kind: "reduced", dtype } : undefined,
  );
}
