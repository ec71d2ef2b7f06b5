import { exprBuffers, exprLeaves, exprViews } from "../../compiler/kernels/expr.js";
import type { ElementwiseKernel, Expr } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { contiguousView } from "../../compiler/kernels/view.js";
import { bytesPer } from "../../ir/dtype.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import {
  ARENA_BASE,
  type ExprContext,
  emitScalar,
  emitVector,
  type LeafSlot,
  vectorizable,
} from "./expr-codegen.js";
import type { SimdMath } from "./simd-math.js";

/**
 * Renders elementwise kernels as loop nests: outer loops over all but the innermost axis
 * (after merging axes that every operand walks contiguously), and an innermost loop that
 * runs four lanes at a time where the operands allow, then a scalar tail.
 */
export interface RenderContext {
  /** Memarg offset of a buffer: its arena offset, or 0 for a program input read in place. */
  readonly bufferOffset: (buffer: number) => number;
  /** For a program input, its entry in the pointer table the run fills; undefined otherwise. */
  readonly inputEntry: (buffer: number) => number | undefined;
  readonly host: Readonly<Record<string, number>>;
  readonly simdMath: SimdMath;
}

export interface Nest {
  readonly outer: readonly number[];
  readonly inner: number;
  /** Per stride set: strides for the outer axes and the inner stride. */
  readonly outerStrides: readonly (readonly number[])[];
  readonly innerStrides: readonly number[];
  readonly offsets: readonly number[];
}

export function nestOf(shape: readonly number[], strideSets: number[][], offsets: number[]): Nest {
  const c = coalesceAxes(shape, strideSets);
  const dims = c.shape.length ? c.shape : [1];
  const strides = c.shape.length ? c.strides : c.strides.map(() => [0]);
  return {
    outer: dims.slice(0, -1),
    inner: dims[dims.length - 1]!,
    outerStrides: strides.map((s) => s.slice(0, -1)),
    innerStrides: strides.map((s) => s[s.length - 1]!),
    offsets,
  };
}

/**
 * Emits loops over the outer axes; inside, sets each base local to offset + Σ counter·stride.
 * The first outer axis runs over the kernel's tile range (its two parameters).
 */
function emitOuterLoops(cw: CodeWriter, nest: Nest, bases: number[], body: () => void) {
  const counters = nest.outer.map(() => cw.local(ValType.i32));
  cw.nestedLoops(
    counters,
    nest.outer,
    () => {
      bases.forEach((base, k) => {
        cw.i32(nest.offsets[k]!).addStrided(counters, nest.outerStrides[k]!).set(base);
      });
      body();
    },
    [TILE_BEGIN, TILE_END],
  );
}

/** Every kernel function takes (begin, end): the range of tile units it computes. */
export const TILE_BEGIN = 0;
export const TILE_END = 1;

/** A rendered kernel and how many tile units its range covers. */
export interface RenderedKernel {
  readonly code: CodeWriter;
  readonly units: number;
  /** For an instruction kernel that multiplies matrices: its multiply-adds, the work it is split by. */
  readonly multiplyAdds?: number;
}

export function storeScalar(cw: CodeWriter, dtype: string, offset: number) {
  if (dtype === "float32") cw.mem(Op.f32_store, 2, offset);
  else if (dtype === "int32") cw.mem(Op.i32_store, 2, offset);
  else cw.mem(Op.i32_store8, 0, offset);
}

export function renderElementwise(kernel: ElementwiseKernel, ctx: RenderContext): RenderedKernel {
  const cw = new CodeWriter(3);
  const base = bindBufferBases(cw, ctx, exprBuffers(kernel.expr));
  const leaves = exprLeaves(kernel.expr, false);
  const views = exprViews(kernel.expr);
  const out = kernel.outView ?? contiguousView(kernel.shape);
  const nest = nestOf(
    kernel.shape,
    [...views.map((v) => [...v.strides]), [...out.strides]],
    [...views.map((v) => v.offset), out.offset],
  );
  if (kernel.shape.some((d) => d === 0)) return { code: cw, units: 0 };
  const bases = [...leaves, null].map(() => cw.local(ValType.i32));
  const j = cw.local(ValType.i32);
  const slots = new Map<Expr, LeafSlot>(
    leaves.map((l, k) => [l, { base: bases[k]!, stride: nest.innerStrides[k]! }]),
  );
  const ectx: ExprContext = { ...ctx, base, cw, leaves: slots, j };
  const outBase = bases[bases.length - 1]!;
  const outOffset = ctx.bufferOffset(kernel.out);
  const bytes = bytesPer(kernel.expr.dtype);
  const outStride = nest.innerStrides[leaves.length]!;
  const vector = vectorizable(kernel.expr, slots) && bytes === 4 && nest.inner >= 4 && outStride === 1;
  // Tiles split the first outer axis, or the inner axis when there is no outer one.
  const tiledInner = nest.outer.length === 0;
  const outAddress = () => {
    cw.get(outBase).get(j);
    if (outStride !== 1) cw.i32(outStride).op(Op.i32_mul);
    cw.op(Op.i32_add);
    if (bytes === 4) cw.i32(2).op(Op.i32_shl);
    cw.get(ARENA_BASE).op(Op.i32_add);
  };
  emitOuterLoops(cw, nest, bases, () => {
    const from = () => (tiledInner ? cw.get(TILE_BEGIN) : cw.i32(0));
    const to = () => (tiledInner ? cw.get(TILE_END) : cw.i32(nest.inner));
    let tailStart = from;
    if (vector) {
      // Whole groups of four from the start of the range; the rest in the scalar tail.
      const vectorEnd = cw.local(ValType.i32);
      from();
      to();
      from();
      cw.op(Op.i32_sub).i32(~3).op(Op.i32_and).op(Op.i32_add).set(vectorEnd);
      cw.forLoop(
        j,
        from,
        () => cw.get(vectorEnd),
        4,
        () => {
          outAddress();
          emitVector(ectx, kernel.expr);
          cw.simdMem(SimdOp.v128_store, outOffset);
        },
      );
      tailStart = () => cw.get(vectorEnd);
    }
    cw.forLoop(j, tailStart, to, 1, () => {
      outAddress();
      emitScalar(ectx, kernel.expr);
      storeScalar(cw, kernel.expr.dtype, outOffset);
    });
  });
  return { code: cw, units: tiledInner ? nest.inner : nest.outer[0]! };
}
