import type { Program } from "../compiler/program.js";
import type { HostArray } from "../ir/dtype.js";
import type { Storage } from "../ir/storage.js";
import type { Attrs, Instruction } from "../isa/instruction.js";

/**
 * A target runs Programs. It claims the instructions it has kernels for; the compiler
 * decomposes every other instruction into ones it claims, so a new instruction never
 * breaks a target and a new target never needs every instruction.
 */
export interface Target {
  readonly name: string;
  /** One line for `infiniset isa` and `doctor`. */
  readonly description: string;
  /**
   * Whether it runs `instruction` as it is (with these attributes, when given) rather than
   * its decomposition.
   */
  hasKernel(instruction: Instruction, attrs?: Attrs): boolean;
  /**
   * Compiles a new program for this target ahead of its first run (called when the program
   * enters the program cache); returns the bytes its compiled form holds, which the cache
   * counts. The compiled form hangs off the Program (a WeakMap), so it goes when the cache
   * drops the program.
   */
  prepare?(program: Program): number;
  /** Runs a program on input buffers (in `program.inputSlots` order); returns the outputs. */
  run(program: Program, inputs: readonly HostArray[]): HostArray[];
  /**
   * For targets that keep values in their own memory: inputs may be host arrays or device
   * buffers (of this target or another), and outputs stay on the device. Without it, values
   * travel as host arrays.
   */
  runResident?(program: Program, inputs: readonly Storage[]): Storage[];
  /** Runs a program once, timing each kernel: what `explain` shows. */
  profile?(program: Program, inputs: readonly Storage[]): ProgramProfile;
}

/** What a target reports about how it ran a program. */
export interface ProgramProfile {
  readonly kernels: readonly { kind: string; shape: string; fused: string; ms: number }[];
  /** Bytes of the arena the program's intermediate values share. */
  readonly arenaBytes: number;
  readonly buffers: number;
}
