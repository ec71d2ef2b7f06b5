import { type DType, isFloat } from "../ir/dtype.js";
import type { Node } from "../ir/node.js";
import { broadcastShapes, fmt } from "../ir/shape.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type TensorMeta, type VjpContext } from "./instruction.js";
import { broadcastIndex } from "./ref-loops.js";

/**
 * Builders for the elementwise families. Each unary/binary/ternary instruction is then
 * one short declaration: its scalar function, the dtypes it accepts and its gradient.
 */

/** Which operand dtypes an instruction accepts. */
export type DTypeClass = "float" | "numeric" | "any";

export function checkDType(name: string, dtype: DType, accepts: DTypeClass): void {
  const ok =
    accepts === "any" || (accepts === "float" ? isFloat(dtype) : dtype === "float32" || dtype === "int32");
  if (!ok) {
    const want = accepts === "float" ? "float32" : "float32 or int32";
    const hint = dtype === "bool" || dtype === "uint8" ? " (cast it first)" : "";
    throw new InstructionError(name, `expects ${want}, got ${dtype}${hint}`);
  }
}

/** The broadcast shape of several operands, or an error naming the instruction and all shapes. */
export function broadcastOrThrow(name: string, inputs: readonly TensorMeta[]): number[] {
  const shape = broadcastShapes(...inputs.map((i) => i.shape));
  if (!shape)
    throw new InstructionError(name, `cannot broadcast ${inputs.map((i) => fmt(i.shape)).join(" and ")}`);
  return shape;
}

export function sameDTypeOrThrow(name: string, inputs: readonly TensorMeta[]): DType {
  const [a, ...rest] = inputs;
  for (const b of rest) {
    if (b.dtype !== a!.dtype) {
      throw new InstructionError(
        name,
        `dtypes differ: ${inputs.map((i) => i.dtype).join(" and ")} (cast one)`,
      );
    }
  }
  return a!.dtype;
}

interface UnaryDecl {
  name: string;
  doc: string;
  accepts: DTypeClass;
  fn: (x: number) => number;
  vjp?: (g: Node, ctx: VjpContext<Record<string, never>>) => readonly (Node | undefined)[];
}

export function defineUnary(d: UnaryDecl): Instruction<Record<string, never>> {
  return defineInstruction<Record<string, never>>({
    name: d.name,
    doc: d.doc,
    operands: 1,
    elementwise: true,
    shape: ([x]) => x!.shape,
    dtype: ([x]) => {
      checkDType(d.name, x!.dtype, d.accepts);
      return x!.dtype;
    },
    ref: ([x], out) => {
      const src = x!.data;
      for (let i = 0; i < out.data.length; i++) out.data[i] = d.fn(src[i]!);
    },
    ...(d.vjp ? { vjp: d.vjp } : {}),
  });
}

interface NaryDecl {
  name: string;
  doc: string;
  accepts: DTypeClass;
  /** A fixed result dtype (bool for comparisons); otherwise the operands' common dtype. */
  result?: DType;
  fn: (...xs: number[]) => number;
  vjp?: (g: Node, ctx: VjpContext<Record<string, never>>) => readonly (Node | undefined)[];
}

/** Binary elementwise instructions with NumPy broadcasting between equal-dtype operands. */
export function defineBinary(d: NaryDecl): Instruction<Record<string, never>> {
  return defineInstruction<Record<string, never>>({
    name: d.name,
    doc: d.doc,
    operands: 2,
    elementwise: true,
    shape: (inputs) => broadcastOrThrow(d.name, inputs),
    dtype: (inputs) => {
      const dtype = sameDTypeOrThrow(d.name, inputs);
      checkDType(d.name, dtype, d.accepts);
      return d.result ?? dtype;
    },
    ref: ([a, b], out) => {
      const ia = broadcastIndex(a!.shape, out.shape);
      const ib = broadcastIndex(b!.shape, out.shape);
      for (let i = 0; i < out.data.length; i++) out.data[i] = d.fn(a!.data[ia[i]!]!, b!.data[ib[i]!]!);
    },
    ...(d.vjp ? { vjp: d.vjp } : {}),
  });
}
