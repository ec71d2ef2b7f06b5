import type { DType } from "../ir/dtype.js";
import type { Shape } from "../ir/shape.js";
import type { Attrs, Instruction } from "../isa/instruction.js";

/**
 * What the compiler hands a target: instructions in execution order over numbered value
 * slots. A slot is a buffer; `release` says which slots die after each step, so a target
 * can reuse their memory (code-generating targets plan exact offsets: plan-memory.ts).
 */
export interface ProgramStep {
  readonly instruction: Instruction;
  readonly attrs: Attrs;
  readonly inputs: readonly number[];
  readonly output: number;
  /** Slots whose last reader is this step. */
  readonly release: readonly number[];
}

export interface SlotInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface Program {
  /** The structural key this program was compiled for. */
  readonly key: string;
  readonly target: string;
  readonly slots: readonly SlotInfo[];
  /** Slots filled from the caller's input buffers, in order. */
  readonly inputSlots: readonly number[];
  /** Slots returned to the caller, in order. */
  readonly outputSlots: readonly number[];
  readonly steps: readonly ProgramStep[];
}
