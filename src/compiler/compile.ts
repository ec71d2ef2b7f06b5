import type { Instruction } from "../isa/instruction.js";
import type { CapturedGraph } from "./capture.js";
import { lowerGraph } from "./lower.js";
import type { Program } from "./program.js";
import { scheduleProgram } from "./schedule.js";
import { simplifyGraph } from "./simplify.js";

/** What the compiler needs of a target: its name (for the cache) and the instructions it claims. */
export interface CompileTarget {
  readonly name: string;
  hasKernel(instruction: Instruction): boolean;
}

/**
 * The compiler pipeline: captured graph → lower what the target lacks → simplify →
 * schedule → Program. Code-generating targets then fuse the Program into kernels and plan
 * its arena (src/compiler/kernels, plan-memory.ts).
 */
export function compileProgram(graph: CapturedGraph, target: CompileTarget): Program {
  const lowered = lowerGraph(graph, (i) => target.hasKernel(i), target.name);
  return scheduleProgram(simplifyGraph(lowered), graph.key, target.name);
}

/** Programs by target and graph structure. */
const cache = new Map<string, Program>();
let compiles = 0;

export function compileCached(graph: CapturedGraph, target: CompileTarget): Program {
  const key = `${target.name}|${graph.key}`;
  let program = cache.get(key);
  if (!program) {
    program = compileProgram(graph, target);
    cache.set(key, program);
    compiles++;
  }
  return program;
}

/** How many programs have been compiled (not taken from the cache) so far. */
export function compileCount(): number {
  return compiles;
}

export function clearProgramCache(): void {
  cache.clear();
}
