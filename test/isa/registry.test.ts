import assert from "node:assert/strict";
import { test } from "node:test";
import { registeredInstructions } from "../../src/isa/index.js";
import { cases } from "./cases.js";

// Walks the registry: an instruction without reference semantics or without tests fails here.
test("every instruction has reference semantics, examples, and random cases if differentiable", () => {
  const problems: string[] = [];
  for (const inst of registeredInstructions()) {
    const c = cases[inst.name];
    if (!inst.spec.ref) problems.push(`${inst.name}: no reference semantics`);
    if (!c || c.examples.length === 0)
      problems.push(`${inst.name}: no hand-computed examples in test/isa/cases.ts`);
    if (inst.differentiable && !c?.random)
      problems.push(`${inst.name}: differentiable but no random cases for the gradient check`);
  }
  assert.deepEqual(problems, []);
});

test("the instruction set has the breadth the foundation promises", () => {
  const names = new Set(registeredInstructions().map((i) => i.name));
  assert.ok(names.size >= 45, `only ${names.size} instructions`);
  const primitives = registeredInstructions().filter((i) => i.kind === "primitive").length;
  const composites = registeredInstructions().filter((i) => i.kind === "composite").length;
  assert.ok(primitives >= 30 && composites >= 15, `${primitives} primitives, ${composites} composites`);
});

test("no case describes an instruction that does not exist", () => {
  const names = new Set(registeredInstructions().map((i) => i.name));
  assert.deepEqual(
    Object.keys(cases).filter((n) => !names.has(n)),
    [],
  );
});
