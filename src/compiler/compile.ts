import type { Attrs, Instruction } from "../isa/instruction.js";
import type { CapturedGraph } from "./capture.js";
import { lowerGraph } from "./lower.js";
import type { Program } from "./program.js";
import {
  ProgramCache,
  type ProgramCacheLimits,
  type ProgramCacheStats,
  programBytes,
} from "./program-cache.js";
import { scheduleProgram } from "./schedule.js";
import { simplifyGraph } from "./simplify.js";

/** What the compiler needs of a target: its name (for the cache) and the instructions it claims. */
export interface CompileTarget {
  readonly name: string;
  hasKernel(instruction: Instruction, attrs?: Attrs): boolean;
  /** Compiles a new program for this target ahead of its first run; returns the bytes that holds. */
  prepare?(program: Program): number;
}

/**
 * The compiler pipeline: captured graph → lower what the target lacks → simplify →
 * schedule → Program. Code-generating targets then fuse the Program into kernels and plan
 * its arena (src/compiler/kernels, plan-memory.ts).
 */
export function compileProgram(graph: CapturedGraph, target: CompileTarget): Program {
  const lowered = lowerGraph(graph, (i, attrs) => target.hasKernel(i, attrs), target.name);
  return scheduleProgram(simplifyGraph(lowered), graph.key, target.name);
}

const cache = new ProgramCache({ programs: 1024, bytes: 256 * 1024 * 1024 });
let compiles = 0;

/**
 * The program for a graph on a target: from the program cache, or compiled now (and
 * prepared by the target, which reports the bytes its compiled form holds).
 */
export function compileCached(graph: CapturedGraph, target: CompileTarget): Program {
  const key = `${target.name}|${graph.key}`;
  let program = cache.get(key);
  if (!program) {
    program = compileProgram(graph, target);
    compiles++;
    cache.set(key, program, programBytes(program) + (target.prepare?.(program) ?? 0));
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

/** Bounds the program cache (least recently used programs go first). */
export function setProgramCacheLimits(limits: Partial<ProgramCacheLimits>): void {
  cache.setLimits({ ...cache.stats().limits, ...limits });
}

export function programCacheStats(): ProgramCacheStats {
  return cache.stats();
}
