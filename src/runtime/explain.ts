import { captureGraph } from "../compiler/capture.js";
import { compileCached } from "../compiler/compile.js";
import type { Program } from "../compiler/program.js";
import type { Node } from "../ir/node.js";
import type { Storage } from "../ir/storage.js";
import type { ProgramProfile, Target } from "../targets/target.js";
import { defaultTarget } from "./default-target.js";

/**
 * What the compiler and the target make of the computation of some nodes: the kernels,
 * the instructions each one fused, the arena, and a per-kernel time profile (the program
 * runs `runs` times; the fastest time of each kernel is shown). The nodes are not realised.
 */
export interface Explanation {
  readonly target: string;
  readonly instructions: number;
  readonly profile: ProgramProfile;
  toString(): string;
}

export function explainNodes(
  nodes: readonly Node[],
  options: { runs?: number; target?: Target } = {},
): Explanation {
  const target = options.target ?? defaultTarget();
  const pending = nodes.filter((n) => n.buffer === undefined);
  const graph = captureGraph(pending);
  const program = compileCached(graph, target);
  const inputs = graph.inputs.map((n) => {
    if (n.buffer === undefined) throw new Error("explain: the computation depends on a disposed tensor");
    return n.buffer;
  });
  return explainProgram(program, inputs, target, options.runs);
}

/** The explanation of a compiled program run on `inputs` (see `explainNodes`). */
export function explainProgram(
  program: Program,
  inputs: readonly Storage[],
  target: Target,
  runs = 3,
): Explanation {
  if (!target.profile) throw new Error(`explain: target "${target.name}" does not profile its kernels`);
  let best: ProgramProfile | undefined;
  for (let r = 0; r < Math.max(1, runs); r++) {
    const p = target.profile(program, inputs);
    best = best
      ? { ...p, kernels: p.kernels.map((k, i) => ({ ...k, ms: Math.min(k.ms, best!.kernels[i]!.ms) })) }
      : p;
  }
  const profile = best!;
  return {
    target: target.name,
    instructions: program.steps.length,
    profile,
    toString: () => formatExplanation(target.name, program.steps.length, profile),
  };
}

function formatExplanation(target: string, instructions: number, p: ProgramProfile): string {
  const total = p.kernels.reduce((s, k) => s + k.ms, 0);
  const rows = p.kernels.map((k, i) => [
    String(i),
    k.kind,
    k.shape,
    k.ms.toFixed(3),
    pct(k.ms, total),
    k.fused,
  ]);
  const header = ["#", "kernel", "shape", "ms", "%", "fused instructions"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const byKind = new Map<string, { n: number; ms: number }>();
  for (const k of p.kernels) {
    const e = byKind.get(k.kind) ?? { n: 0, ms: 0 };
    byKind.set(k.kind, { n: e.n + 1, ms: e.ms + k.ms });
  }
  return [
    `target ${target}: ${instructions} instructions → ${p.kernels.length} kernels, arena ${(p.arenaBytes / 1024).toFixed(1)} KiB for ${p.buffers} buffers`,
    "",
    line(header),
    ...rows.map(line),
    "",
    `total ${total.toFixed(3)} ms: ${[...byKind].map(([kind, e]) => `${kind} ${e.n}× ${e.ms.toFixed(2)} ms (${pct(e.ms, total)})`).join(", ")}`,
  ].join("\n");
}

function pct(part: number, total: number): string {
  return total > 0 ? `${((100 * part) / total).toFixed(1)}%` : "-";
}
