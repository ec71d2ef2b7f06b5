// The open instruction set made visible: every registered instruction, and what the
// compiler makes of a snippet of tensor code typed in the page.
import * as infiniset from "../index.js";
import type { ExplainResult, InstructionRow } from "./engine-protocol.js";

export function instructionTable(): InstructionRow[] {
  const targets = infiniset.availableTargets();
  return infiniset.registeredInstructions().map((instruction) => ({
    name: instruction.name,
    kind: instruction.kind,
    differentiable: instruction.differentiable,
    targets: targets.filter((t) => t.hasKernel(instruction)).map((t) => t.name),
    doc: instruction.spec.doc ?? "",
  }));
}

/**
 * Runs `snippet` (the body of a function of `infiniset`'s exports, returning a tensor or an
 * array of tensors) and explains the computation of its result: kernels, the instructions
 * each fused, the arena, and per-kernel times.
 */
export function explainSnippet(snippet: string): ExplainResult {
  const names = Object.keys(infiniset).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  let value: unknown;
  try {
    // The page's own code, run in its own worker: the same trust as the page itself.
    const run = new Function(...names, `"use strict";\n${snippet}`) as (...args: unknown[]) => unknown;
    value = run(...names.map((name) => (infiniset as Record<string, unknown>)[name]));
  } catch (error) {
    throw new Error(`the snippet failed: ${(error as Error).message}`);
  }
  const tensors = (Array.isArray(value) ? value : [value]).filter((v) => v instanceof infiniset.Tensor);
  if (tensors.length === 0)
    throw new Error(
      "the snippet must return a tensor (or an array of tensors), e.g. `return x.matmul(w).relu()`",
    );
  const explanation = infiniset.Tensor.explain(tensors, { runs: 3 });
  return {
    target: explanation.target,
    instructions: explanation.instructions,
    arenaBytes: explanation.profile.arenaBytes,
    kernels: explanation.profile.kernels,
    text: explanation.toString(),
    value: tensors.map((t) => t.toString()).join("\n"),
  };
}
