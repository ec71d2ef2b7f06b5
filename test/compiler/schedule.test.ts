import assert from "node:assert/strict";
import { test } from "node:test";
import * as isa from "../../src/isa/index.js";
import { build, input, programOf } from "../helpers/graphs.js";

test("schedule: steps in dependency order over numbered slots; an intermediate dies after its last reader", () => {
  const [a, b] = [input([4]), input([4])];
  const y = build(() => isa.mul(isa.exp(a), isa.add(a, b)));
  const program = programOf([y]);
  assert.equal(program.inputSlots.length, 2);
  const [slotA, slotB] = program.inputSlots as [number, number];
  const written = new Set(program.inputSlots);
  for (const step of program.steps) {
    for (const s of step.inputs)
      assert.ok(written.has(s), `slot ${s} is written before step ${step.instruction.name} reads it`);
    written.add(step.output);
  }
  // Intermediates are released after their last reader; inputs belong to the caller.
  const released = program.steps.flatMap((s) => s.release);
  for (const slot of [slotA, slotB]) assert.ok(!released.includes(slot), `input slot ${slot} is kept`);
  const intermediates = program.steps.slice(0, -1).map((s) => s.output);
  assert.equal(intermediates.length, 2);
  assert.deepEqual([...program.steps.at(-1)!.release].sort(), [...intermediates].sort());
  assert.deepEqual(program.outputSlots, [program.steps.at(-1)!.output]);
  assert.ok(!program.steps.at(-1)!.release.includes(program.outputSlots[0]!), "outputs are not released");
  for (const step of program.steps) assert.deepEqual(program.slots[step.output]!.shape, [4]);
});
