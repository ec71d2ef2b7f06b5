import type { InstructionKernel } from "../compiler/kernels/kernel-ir.js";
import type { Attrs, Instruction, RefValue } from "../isa/instruction.js";

/**
 * A code-generating target's table of instruction kernels: kernels of its own for whole
 * instructions, by instruction name. A target runs every primitive (scalar operations and
 * movement fused into generated kernels, the rest on their reference semantics) and every
 * instruction in this table, composites included; the compiler decomposes the others
 * before the target sees them. A kernel that handles only some attribute values says which
 * with an `accepts` predicate; the others are decomposed. The differential tests (test/isa/targets.test.ts) run each
 * instruction on each target, so a kernel added here is checked against the oracle.
 */
export type KernelTable<K> = Readonly<Record<string, K>>;

/** What `Target.hasKernel` answers for a target with this table (for any attributes when none are given). */
export function claims(table: KernelTable<unknown>, instruction: Instruction, attrs?: Attrs): boolean {
  if (instruction.kind === "primitive") return true;
  if (!Object.hasOwn(table, instruction.name)) return false;
  const accepts = (table[instruction.name] as { accepts?: (attrs: Attrs) => boolean }).accepts;
  return !attrs || !accepts || accepts(attrs);
}

/** An instruction kernel the target has no kernel of its own for: the instruction's reference semantics. */
export function runReference(kernel: InstructionKernel, inputs: readonly RefValue[], out: RefValue): void {
  const ref = kernel.instruction.spec.ref;
  if (!ref) {
    throw new Error(
      `${kernel.instruction.name}: a target claimed it without a kernel for it here, and it has no reference semantics`,
    );
  }
  ref(inputs, out, kernel.attrs);
}
