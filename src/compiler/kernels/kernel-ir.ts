import type { DType } from "../../ir/dtype.js";
import type { Attrs, Instruction } from "../../isa/instruction.js";
import type { FloatOnly, ScalarOp } from "../../isa/scalar-ops.js";
import type { View } from "./view.js";

/**
 * The kernel IR: what the compiler hands code-generating targets. A kernel program is a
 * list of kernels over numbered buffers; every target renders the same kernels.
 *
 * An elementwise expression is evaluated at each index of its index space. Its leaves read
 * through views that map that index space to a buffer (or to a counter, for iota and
 * random numbers), so movement instructions fold into index arithmetic.
 */
export type { ScalarOp };

/**
 * What a code-generating target supplies to render the scalar operations: one entry per
 * `ScalarOp`, with a float32 form, and an integer form (int32, and bool for comparisons)
 * for every operation that accepts integers. A scalar operation added to the instruction
 * set without an entry here is a type error in every target.
 */
export type ScalarRenderers<Float, Int> = {
  readonly [K in ScalarOp]: FloatOnly<K> extends true
    ? { readonly float: Float }
    : { readonly float: Float; readonly int: Int };
};

export type Expr =
  | { readonly kind: "load"; readonly buffer: number; readonly view: View; readonly dtype: DType }
  | { readonly kind: "const"; readonly value: number; readonly dtype: DType }
  /** start + step · (flat position given by the view): arange seen through movement instructions. */
  | {
      readonly kind: "iota";
      readonly start: number;
      readonly step: number;
      readonly view: View;
      readonly dtype: DType;
    }
  /** Counter-based random numbers; the seed is element 0 of an int32 buffer. */
  | {
      readonly kind: "random";
      readonly distribution: "uniform" | "normal";
      readonly seedBuffer: number;
      readonly view: View;
      readonly dtype: "float32";
    }
  | { readonly kind: "op"; readonly op: ScalarOp; readonly args: readonly Expr[]; readonly dtype: DType }
  /** In a reduction's `finalize` and `epilogue`, the row's reduced value; in a matmul's epilogue, the product. */
  | { readonly kind: "reduced"; readonly dtype: DType }
  | { readonly kind: "where"; readonly args: readonly [Expr, Expr, Expr]; readonly dtype: DType }
  | { readonly kind: "cast"; readonly arg: Expr; readonly dtype: DType };

export interface BufferInfo {
  readonly size: number;
  readonly dtype: DType;
}

/**
 * out[i] = expr(i) for every index of `shape`. The output is written through `outView`
 * (contiguous when absent): a view lets pad and concat write into part of a buffer.
 */
export interface ElementwiseKernel {
  readonly kind: "elementwise";
  readonly out: number;
  readonly shape: readonly number[];
  readonly outView?: View;
  readonly expr: Expr;
  /** Names of the instructions fused into this kernel, for `explain`. */
  readonly fused: readonly string[];
}

/**
 * out[kept] = finalize(reduce over `axes` of expr(i)), i in `shape`; out is contiguous in
 * kept order. With an epilogue, the same kernel then writes epilogue.out[i] =
 * epilogue.expr(i) over the whole of `shape`, where `reduced` leaves are the finalized value
 * of i's row: softmax is a max kernel whose epilogue is exp(x − max), then a sum kernel whose
 * epilogue is the division, instead of five kernels.
 */
export interface ReduceKernel {
  readonly kind: "reduce";
  readonly op: "sum" | "max";
  readonly out: number;
  readonly shape: readonly number[];
  readonly axes: readonly number[];
  readonly expr: Expr;
  /** Applied to the accumulated value before it is stored (a mean's division); leaves: `reduced`, constants. */
  readonly finalize?: Expr;
  readonly epilogue?: { readonly out: number; readonly expr: Expr };
  readonly fused: readonly string[];
}

/** out[batch, M, N] = Σ_k a[batch, M, k] · b[batch, k, N], operands read through views. */
export interface MatmulKernel {
  readonly kind: "matmul";
  readonly out: number;
  readonly a: { readonly buffer: number; readonly view: View };
  /**
   * B through a view of shape [...batch, K, N]; or, when `packedPanel` is set, a contiguous
   * buffer of shape [...batch, ⌈N/panel⌉, K, panel] holding B's columns in panels of that
   * width (zero-padded), so the kernel reads B sequentially (see `FuseOptions.packPanel`).
   */
  readonly b: { readonly buffer: number; readonly view: View; readonly packedPanel?: number };
  /** Output shape [...batch, M, N]; the operands' views are already broadcast to the batch. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * Elementwise work on each product before it is stored (bias, activation, residual):
   * `reduced` leaves are the product at that position; other leaves' views are over
   * `shape`. When present, `out` receives the epilogue's result.
   */
  readonly epilogue?: Expr;
  readonly fused: readonly string[];
}

/**
 * One instruction run whole on contiguous buffers, not broken into expressions: with the
 * target's own kernel for it when the target has one (its kernel table), else with its
 * reference semantics. How user primitives, rare instructions (gather, scatterAdd) and
 * whatever a target claims with a kernel of its own (composites included) are run.
 */
export interface InstructionKernel {
  readonly kind: "instruction";
  readonly instruction: Instruction;
  readonly attrs: Attrs;
  readonly inputs: readonly number[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly out: number;
  readonly shape: readonly number[];
  readonly fused: readonly string[];
}

export type Kernel = ElementwiseKernel | ReduceKernel | MatmulKernel | InstructionKernel;

export interface KernelProgram {
  readonly buffers: readonly BufferInfo[];
  /** Buffers filled from the program's inputs, in order. */
  readonly inputs: readonly number[];
  /** Buffers returned as the program's outputs, in order. */
  readonly outputs: readonly number[];
  readonly kernels: readonly Kernel[];
}
