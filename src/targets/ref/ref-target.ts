import type { Program } from "../../compiler/program.js";
import { allocHost, type HostArray } from "../../ir/dtype.js";
import type { RefValue } from "../../isa/instruction.js";
import type { Target } from "../target.js";

export interface RefTargetOptions {
  name?: string;
  /**
   * Store float32 values in float64. Not for users: the test suite checks gradients by
   * finite differences, which in float32 would drown in rounding noise.
   */
  float64?: boolean;
}

/**
 * The reference target: interprets every primitive with its `ref` semantics, one
 * instruction at a time. Slow and obviously right; the oracle for the other targets.
 */
export function createRefTarget(options: RefTargetOptions = {}): Target {
  const alloc = (dtype: RefValue["dtype"], n: number): HostArray =>
    options.float64 && dtype === "float32" ? new Float64Array(n) : allocHost(dtype, n);
  return {
    name: options.name ?? "ref",
    description: options.float64
      ? "reference interpreter with float64 storage (gradient checks)"
      : "reference interpreter (pure TypeScript, the oracle)",
    hasKernel: (instruction) => instruction.kind === "primitive",
    run(program: Program, inputs: readonly HostArray[]): HostArray[] {
      const values: (HostArray | undefined)[] = new Array(program.slots.length);
      program.inputSlots.forEach((s, i) => {
        values[s] = inputs[i];
      });
      const view = (s: number): RefValue => ({ ...program.slots[s]!, data: values[s]! });
      for (const step of program.steps) {
        const meta = program.slots[step.output]!;
        let size = 1;
        for (const d of meta.shape) size *= d;
        const out: RefValue = { ...meta, data: alloc(meta.dtype, size) };
        step.instruction.spec.ref!(step.inputs.map(view), out, step.attrs);
        values[step.output] = out.data;
        for (const s of step.release) values[s] = undefined;
      }
      return program.outputSlots.map((s) => values[s]!);
    },
  };
}
