import { Command } from "commander";
import { availableTargets, type Instruction, registeredInstructions } from "../../index.js";
import { formatTable } from "../text-table.js";

/** What `infiniset isa` reports about one instruction. */
export interface InstructionSummary {
  name: string;
  kind: "primitive" | "composite";
  differentiable: boolean;
  /** Targets with a kernel of their own for it; on the others the compiler decomposes it. */
  targets: string[];
  doc: string;
}

export function summarizeInstruction(instruction: Instruction): InstructionSummary {
  return {
    name: instruction.name,
    kind: instruction.kind,
    differentiable: instruction.differentiable,
    targets: availableTargets()
      .filter((target) => target.hasKernel(instruction))
      .map((target) => target.name),
    doc: instruction.spec.doc ?? "",
  };
}

/** One JSON object per line, so the output can be streamed into `jq` or read line by line. */
export function formatJsonLines(summaries: readonly InstructionSummary[]): string[] {
  return summaries.map((s) => JSON.stringify(s));
}

export function formatHumanTable(summaries: readonly InstructionSummary[]): string[] {
  const rows = summaries.map((s) => [
    s.name,
    s.kind,
    s.differentiable ? "yes" : "no",
    s.targets.length ? s.targets.join(",") : "-",
    s.doc,
  ]);
  const primitives = summaries.filter((s) => s.kind === "primitive").length;
  const differentiable = summaries.filter((s) => s.differentiable).length;
  return [
    ...formatTable(["NAME", "KIND", "DIFFERENTIABLE", "TARGETS", "DOC"], rows),
    "",
    `${summaries.length} instructions: ${primitives} primitive, ${summaries.length - primitives} composite, ` +
      `${differentiable} differentiable.`,
    // Said outright, because an empty TARGETS cell otherwise reads like a missing feature.
    'TARGETS "-": no target has its own kernel; the compiler decomposes it into instructions that have one.',
  ];
}

export function isaCommand(): Command {
  return new Command("isa")
    .description("list every registered instruction: kind, differentiability, targets with a kernel")
    .option("--json", "print one JSON object per line (name, kind, differentiable, targets, doc)")
    .action((options: { json?: boolean }) => {
      const summaries = registeredInstructions().map(summarizeInstruction);
      const lines = options.json ? formatJsonLines(summaries) : formatHumanTable(summaries);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
