import assert from "node:assert/strict";
import { test } from "node:test";
import { captureGraph } from "../../src/compiler/capture.js";
import * as isa from "../../src/isa/index.js";
import { build, input } from "../helpers/graphs.js";

test("capture: the pending nodes in topological order, nodes with values as inputs", () => {
  const [x, w] = [input([2, 3]), input([3, 4])];
  const y = build(() => isa.exp(isa.matmul(x, w)));
  const graph = captureGraph([y]);
  assert.deepEqual(graph.inputs, [x, w]);
  assert.deepEqual(graph.roots, [y]);
  assert.equal(graph.order.at(-1), y);
  assert.equal(graph.order.length, 4);
});

test("capture: the key is the structure (instructions, attributes, shapes, dtypes, wiring), not the values", () => {
  const key = (shape: number[], axes: number[], swap = false) => {
    const [a, b] = [input(shape), input(shape)];
    return captureGraph([build(() => isa.sum(swap ? isa.sub(b, a) : isa.sub(a, b), { axes }))]).key;
  };
  assert.equal(key([2, 3], [1]), key([2, 3], [1]), "fresh inputs, same structure");
  assert.notEqual(key([2, 3], [1]), key([3, 2], [1]), "shapes");
  assert.notEqual(key([2, 3], [1]), key([2, 3], [0]), "attributes");
  const a = input([2]);
  const twice = captureGraph([build(() => isa.sub(a, a))]).key;
  assert.notEqual(twice, captureGraph([build(() => isa.sub(a, input([2])))]).key, "wiring");
});
