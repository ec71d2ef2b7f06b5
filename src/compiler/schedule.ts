import { topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import type { LoweredGraph } from "./lower.js";
import type { Program, ProgramStep, SlotInfo } from "./program.js";

/**
 * Orders a lowered graph into steps over slots and records, for each step, the slots
 * whose last reader it is (so their buffers can be released or reused right after).
 */
export function scheduleProgram(graph: LoweredGraph, key: string, target: string): Program {
  const isInput = new Set(graph.inputs);
  const order = topoSort(graph.outputs, (n) => isInput.has(n));
  const slotOf = new Map<Node, number>();
  const slots: SlotInfo[] = [];
  const slot = (n: Node) => {
    let s = slotOf.get(n);
    if (s === undefined) {
      s = slots.length;
      slotOf.set(n, s);
      slots.push({ shape: n.shape, dtype: n.dtype });
    }
    return s;
  };
  const inputSlots = graph.inputs.map(slot);
  const computed = order.filter((n) => !isInput.has(n));

  const lastReader = new Map<number, number>();
  computed.forEach((n, step) => {
    for (const i of n.inputs) lastReader.set(slot(i), step);
  });
  const kept = new Set([...inputSlots, ...graph.outputs.map(slot)]);
  const releases = computed.map(() => [] as number[]);
  for (const [s, step] of lastReader) if (!kept.has(s)) releases[step]!.push(s);

  const steps: ProgramStep[] = computed.map((n, i) => ({
    instruction: n.op!,
    attrs: n.attrs,
    inputs: n.inputs.map(slot),
    output: slot(n),
    release: releases[i]!,
  }));
  return { key, target, slots, inputSlots, outputSlots: graph.outputs.map(slot), steps };
}
