import assert from "node:assert/strict";
import { test } from "node:test";
import { fuseProgram } from "../../../src/compiler/kernels/fuse.js";
import type { Kernel } from "../../../src/compiler/kernels/kernel-ir.js";
import * as isa from "../../../src/isa/index.js";
import { build, input, programOf } from "../../helpers/graphs.js";

const kinds = (kernels: readonly Kernel[]) => kernels.map((k) => `${k.kind}:${k.fused.join("+")}`);

test("fuse: a chain of elementwise instructions over moved operands is one kernel reading through views", () => {
  const [x, b] = [input([3, 4]), input([4, 3])];
  const y = build(() => isa.tanh(isa.add(isa.mul(x, 2), isa.permute(b, { axes: [1, 0] }))));
  const { kernels } = fuseProgram(programOf([y]));
  // The constant 2 is a `full` fused as a constant; the permute is a view of b, not a step.
  assert.deepEqual(kinds(kernels), ["elementwise:full+mul+add+tanh"]);
});

test("fuse: with fusion off, each instruction is its own kernel", () => {
  const x = input([8]);
  const y = build(() => isa.exp(isa.neg(x)));
  assert.equal(fuseProgram(programOf([y])).kernels.length, 1);
  assert.equal(fuseProgram(programOf([y]), { fuse: false }).kernels.length, 2);
});

test("fuse: a reduction takes its elementwise prologue; an expression used twice is written once", () => {
  const x = input([2, 5]);
  const y = build(() => isa.sum(isa.exp(x), { axes: [1] }));
  assert.deepEqual(kinds(fuseProgram(programOf([y])).kernels), ["reduce:exp+sum"]);
  const e = build(() => isa.exp(isa.mul(x, x)));
  const twice = build(() => isa.add(isa.sum(e, { axes: [1] }), isa.reduceMax(e, { axes: [1] })));
  const { kernels } = fuseProgram(programOf([twice]));
  assert.deepEqual(kinds(kernels).slice(0, 1), ["elementwise:mul+exp"]);
});

test("fuse: a linear layer's shared weight folds the batch into rows; B is packed into panels when A is tall", () => {
  const [x, w] = [input([4, 16, 8]), input([8, 12])];
  const y = build(() => isa.matmul(x, w));
  const plain = fuseProgram(programOf([y])).kernels;
  assert.deepEqual(kinds(plain), ["matmul:matmul"]);
  const mm = plain[0]!;
  assert.ok(mm.kind === "matmul");
  assert.deepEqual(mm.shape, [64, 12], "4 batches of 16 rows as one 64-row product");
  const packed = fuseProgram(programOf([y]), { packPanel: 8 }).kernels;
  assert.ok(packed.some((k) => k.fused.includes("pack")));
  const product = packed.find((k) => k.kind === "matmul")!;
  assert.ok(product.kind === "matmul" && product.b.packedPanel === 8);
});

test("fuse: pad and concat write their operands through views of the output", () => {
  const [a, b] = [input([2, 3]), input([2, 1])];
  const y = build(() => isa.concat(isa.exp(a), b, { axis: 1 }));
  const { kernels } = fuseProgram(programOf([y]));
  assert.deepEqual(kinds(kernels), ["elementwise:exp+concat", "elementwise:concat"]);
  assert.ok(kernels.every((k) => k.kind === "elementwise" && k.outView !== undefined));
  const p = build(() => isa.pad(a, { before: [1, 0], after: [0, 2], value: 0 }));
  assert.deepEqual(kinds(fuseProgram(programOf([p])).kernels), ["elementwise:pad", "elementwise:pad"]);
});

test("fuse: anything else is an instruction kernel on contiguous operands", () => {
  const [table, ids] = [input([5, 3]), input([4], "int32")];
  const y = build(() => isa.gather(table, ids, { axis: 0 }));
  const { kernels } = fuseProgram(programOf([y]));
  assert.deepEqual(kinds(kernels), ["instruction:gather"]);
});

test("fuse: epilogues move the bias and activation into the matmul, and a mean's division into its sum", () => {
  const [x, w, bias] = [input([32, 8]), input([8, 8]), input([8])];
  const y = build(() => isa.relu(isa.add(isa.matmul(x, w), bias)));
  const kernels = fuseProgram(programOf([y]), { epilogues: true }).kernels;
  assert.equal(kernels.length, 1);
  assert.ok(kernels[0]!.kind === "matmul" && kernels[0]!.epilogue !== undefined);
  const m = build(() => isa.mean(x, { axes: [1] }));
  const mean = fuseProgram(programOf([m]), { epilogues: true }).kernels;
  assert.equal(mean.length, 1);
  assert.ok(mean[0]!.kind === "reduce" && mean[0]!.finalize !== undefined);
});
