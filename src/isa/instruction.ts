import type { DType, HostArray } from "../ir/dtype.js";
import { withGradMode } from "../ir/grad-mode.js";
import { Node } from "../ir/node.js";
import type { Shape } from "../ir/shape.js";
import { type AttrSchema, type Attrs, checkAttrs } from "./attributes.js";
import { InstructionError } from "./errors.js";

export type { AttrSchema, Attrs } from "./attributes.js";

/** What shape and dtype rules see of an operand. */
export interface TensorMeta {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** An operand or result as reference semantics see it: plain typed-array data, row-major. */
export interface RefValue extends TensorMeta {
  readonly data: HostArray;
}

export interface VjpContext<A> {
  readonly inputs: readonly Node[];
  readonly out: Node;
  readonly attrs: A;
}

/** An operand of an instruction call: a node, or a number that becomes a scalar constant. */
export type Operand = Node | number;

export interface InstructionSpec<A extends Attrs = Attrs> {
  name: string;
  /** How many operands; "variadic" means one or more (concat). */
  operands: number | "variadic";
  /** Typed attributes; calls with unknown or mistyped attributes are rejected. */
  attrs?: AttrSchema;
  /** One line for `infiniset isa` and the docs. */
  doc?: string;
  /** Output element i depends only on element i of each (broadcast) operand; fusible as a loop body. */
  elementwise?: boolean;
  /** Puts attributes in one canonical form (sorted non-negative axes, defaults filled in). */
  canonicalize?(inputs: readonly TensorMeta[], attrs: A): A;
  /** Output shape; throws an InstructionError naming the shapes. Composites may omit it. */
  shape?(inputs: readonly TensorMeta[], attrs: A): Shape;
  /** Output dtype; throws an InstructionError naming the dtypes. Composites may omit it. */
  dtype?(inputs: readonly TensorMeta[], attrs: A): DType;
  /** Reference semantics: fills `out.data` from the inputs. The oracle every target is tested against. */
  ref?(inputs: readonly RefValue[], out: RefValue, attrs: A): void;
  /** Gradient of each operand given the output's gradient `g`; undefined for operands without one. */
  vjp?(g: Node, ctx: VjpContext<A>): readonly (Node | undefined)[];
  /** A composite's definition in other instructions. Absent for primitives. */
  decompose?(inputs: readonly Node[], attrs: A): Node;
  /** Defaults to true when there is a vjp or a decomposition to differentiate. */
  differentiable?: boolean;
}

/** A registered instruction. Calling it applies it to operands (and attributes, last) and returns the new node. */
export interface Instruction<A extends Attrs = Attrs> {
  (...args: (Operand | A)[]): Node;
  readonly name: string;
  readonly spec: InstructionSpec<A>;
  readonly kind: "primitive" | "composite";
  readonly differentiable: boolean;
}

const registry = new Map<string, Instruction>();

/** Every registered instruction, in registration order. */
export function registeredInstructions(): Instruction[] {
  return [...registry.values()];
}

export function lookupInstruction(name: string): Instruction | undefined {
  return registry.get(name);
}

/**
 * Declares and registers an instruction. Public API: an instruction defined here works on
 * every target (through its decomposition, or its `ref` where a target has no kernel) and
 * under autograd (through its `vjp`, or by differentiating its decomposition).
 */
export function defineInstruction<A extends Attrs = Attrs>(spec: InstructionSpec<A>): Instruction<A> {
  if (!/^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(spec.name)) {
    throw new Error(`defineInstruction: "${spec.name}" is not a valid instruction name`);
  }
  if (registry.has(spec.name)) throw new Error(`defineInstruction: "${spec.name}" is already defined`);
  if (!spec.decompose && !spec.ref) {
    throw new Error(`defineInstruction: "${spec.name}" needs reference semantics (ref) or a decomposition`);
  }
  if (!spec.decompose && (!spec.shape || !spec.dtype)) {
    throw new Error(`defineInstruction: primitive "${spec.name}" needs shape and dtype rules`);
  }
  const call = (...args: (Operand | A)[]): Node => {
    const last = args[args.length - 1];
    const hasAttrs = last !== undefined && typeof last === "object" && !(last instanceof Node);
    const operands = (hasAttrs ? args.slice(0, -1) : args) as Operand[];
    return applyInstruction(inst, operands, (hasAttrs ? last : {}) as A);
  };
  Object.defineProperty(call, "name", { value: spec.name });
  const inst = Object.assign(call, {
    spec,
    kind: spec.decompose ? "composite" : "primitive",
    differentiable: spec.differentiable ?? (spec.vjp !== undefined || spec.decompose !== undefined),
  }) as unknown as Instruction<A>;
  registry.set(spec.name, inst as unknown as Instruction);
  return inst;
}

/** The dtype a number literal takes: that of the first non-bool node operand, if it can hold the value. */
function literalDType(operands: readonly Operand[], value: number): DType {
  const first = operands.find((o): o is Node => o instanceof Node && o.dtype !== "bool");
  if (first?.dtype === "int32" && Number.isInteger(value)) return "int32";
  return "float32";
}

function toNode(name: string, operand: Operand, operands: readonly Operand[]): Node {
  if (operand instanceof Node) {
    if (operand.disposed) throw new InstructionError(name, "an operand was disposed");
    return operand;
  }
  if (typeof operand !== "number") {
    throw new InstructionError(name, `operands are tensors or numbers, got ${typeof operand}`);
  }
  const full = registry.get("full")!;
  return full({ value: operand, shape: [], dtype: literalDType(operands, operand) });
}

export function applyInstruction<A extends Attrs>(
  inst: Instruction<A>,
  operands: readonly Operand[],
  attrs: A,
): Node {
  const { spec } = inst;
  const count = operands.length;
  if (spec.operands === "variadic" ? count < 1 : count !== spec.operands) {
    const want = spec.operands === "variadic" ? "at least 1" : spec.operands;
    throw new InstructionError(spec.name, `expects ${want} operand${want === 1 ? "" : "s"}, got ${count}`);
  }
  const inputs = operands.map((o) => toNode(spec.name, o, operands));
  let checked = checkAttrs(spec.name, spec.attrs ?? {}, attrs) as A;
  if (spec.canonicalize) checked = spec.canonicalize(inputs, checked);
  const { shape, dtype } = inferMeta(inst, inputs, checked);
  return new Node(inst as unknown as Instruction, inputs, checked, shape, dtype);
}

/** Shape and dtype from the rules, or for a composite without rules, from its decomposition. */
function inferMeta<A extends Attrs>(inst: Instruction<A>, inputs: readonly Node[], attrs: A): TensorMeta {
  const { spec } = inst;
  if (spec.shape && spec.dtype) return { shape: spec.shape(inputs, attrs), dtype: spec.dtype(inputs, attrs) };
  const placeholders = inputs.map((n) => Node.leaf(n.shape, n.dtype));
  const out = withGradMode(false, () => spec.decompose!(placeholders, attrs));
  return { shape: spec.shape?.(inputs, attrs) ?? out.shape, dtype: spec.dtype?.(inputs, attrs) ?? out.dtype };
}
