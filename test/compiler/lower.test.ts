import assert from "node:assert/strict";
import { test } from "node:test";
import { captureGraph } from "../../src/compiler/capture.js";
import { lowerGraph } from "../../src/compiler/lower.js";
import { topoSort } from "../../src/ir/graph.js";
import * as isa from "../../src/isa/index.js";
import { defineInstruction } from "../../src/isa/instruction.js";
import { build, input } from "../helpers/graphs.js";

const names = (graph: ReturnType<typeof lowerGraph>) =>
  topoSort(graph.outputs, (n) => graph.inputs.includes(n))
    .filter((n) => n.op)
    .map((n) => n.op!.name);

test("lower: composites the target does not claim are decomposed, recursively, onto fresh inputs", () => {
  const x = input([2, 5]);
  const graph = captureGraph([build(() => isa.softmax(x, { axis: -1 }))]);
  const lowered = lowerGraph(graph, (i) => i.kind === "primitive", "test");
  assert.ok(!names(lowered).includes("softmax"));
  assert.ok(names(lowered).includes("exp") && names(lowered).includes("reduceMax"));
  assert.equal(lowered.inputs.length, 1);
  assert.notEqual(lowered.inputs[0], x, "a placeholder, independent of the user's value");
  assert.deepEqual(lowered.inputs[0]!.shape, [2, 5]);
});

test("lower: an instruction the target claims stays whole", () => {
  const x = input([4]);
  const graph = captureGraph([build(() => isa.relu(x))]);
  const lowered = lowerGraph(graph, (i) => i.kind === "primitive" || i.name === "relu", "test");
  assert.deepEqual(names(lowered), ["relu"]);
});

test("lower: an unclaimed instruction without a decomposition is an error naming it and the target", () => {
  const opaque = defineInstruction({
    name: "test.lowerOpaque",
    operands: 1,
    shape: ([x]) => x!.shape,
    dtype: ([x]) => x!.dtype,
    ref: ([x], out) => out.data.set(x!.data),
  });
  const graph = captureGraph([build(() => opaque(input([2])))]);
  assert.throws(
    () => lowerGraph(graph, (i) => i.name !== "test.lowerOpaque", "sometarget"),
    /test\.lowerOpaque: target "sometarget" has no kernel for it and it has no decomposition/,
  );
});
