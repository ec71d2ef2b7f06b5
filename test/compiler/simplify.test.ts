import assert from "node:assert/strict";
import { test } from "node:test";
import * as isa from "../../src/isa/index.js";
import { build, input, programOf, stepNames } from "../helpers/graphs.js";

test("simplify: equal subexpressions are computed once", () => {
  const x = input([3]);
  const y = build(() => isa.add(isa.exp(x), isa.exp(x)));
  assert.deepEqual(stepNames(programOf([y])), ["exp", "add"]);
});

test("simplify: identities disappear (x·1, x+0, same-dtype cast, same-shape reshape, identity permute)", () => {
  const x = input([2, 3]);
  const y = build(() =>
    isa.exp(
      isa.permute(isa.reshape(isa.cast(isa.add(isa.mul(x, 1), 0), { dtype: "float32" }), { shape: [2, 3] }), {
        axes: [0, 1],
      }),
    ),
  );
  assert.deepEqual(stepNames(programOf([y])), ["exp"]);
});

test("simplify: chains of reshapes collapse into one", () => {
  const x = input([2, 3, 4]);
  const y = build(() => isa.exp(isa.reshape(isa.reshape(x, { shape: [6, 4] }), { shape: [24] })));
  assert.deepEqual(stepNames(programOf([y])), ["reshape", "exp"]);
});

test("simplify: instructions on constants are folded into a constant", () => {
  const x = input([3]);
  const y = build(() => isa.mul(x, isa.add(isa.full({ value: 2, shape: [], dtype: "float32" }), 3)));
  const program = programOf([y]);
  assert.deepEqual(stepNames(program), ["full", "mul"]);
  assert.equal(program.steps[0]!.attrs.value, 5);
});

test("simplify: what the outputs do not need is dropped", () => {
  const x = input([3]);
  const [kept] = build(() => [isa.exp(x), isa.log(x)]);
  assert.deepEqual(stepNames(programOf([kept!])), ["exp"]);
});
