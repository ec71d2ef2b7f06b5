import { captureGraph } from "../../src/compiler/capture.js";
import { lowerGraph } from "../../src/compiler/lower.js";
import type { Program } from "../../src/compiler/program.js";
import { scheduleProgram } from "../../src/compiler/schedule.js";
import { simplifyGraph } from "../../src/compiler/simplify.js";
import { allocHost, type DType } from "../../src/ir/dtype.js";
import { withGradMode } from "../../src/ir/grad-mode.js";
import { Node } from "../../src/ir/node.js";
import type { Instruction } from "../../src/isa/instruction.js";
import { attachBuffer } from "../../src/runtime/memory.js";

/** A leaf node holding zeros: a program input. */
export function input(shape: number[], dtype: DType = "float32"): Node {
  const n = Node.leaf(shape, dtype);
  attachBuffer(
    n,
    allocHost(
      dtype,
      shape.reduce((a, b) => a * b, 1),
    ),
  );
  return n;
}

/** Builds nodes with gradients off (the compiler's tests look at forward graphs). */
export function build<T>(f: () => T): T {
  return withGradMode(false, f);
}

/** Capture → lower (claiming primitives, or what `claims` says) → simplify → schedule. */
export function programOf(
  roots: Node[],
  claims: (i: Instruction) => boolean = (i) => i.kind === "primitive",
): Program {
  const graph = captureGraph(roots);
  return scheduleProgram(simplifyGraph(lowerGraph(graph, claims, "test")), graph.key, "test");
}

/** The instruction names of a program's steps, in order. */
export function stepNames(program: Program): string[] {
  return program.steps.map((s) => s.instruction.name);
}
