import assert from "node:assert/strict";
import { test } from "node:test";
import { main, swiglu } from "../../examples/custom-instruction-with-vjp.js";
import { tensor } from "../../src/index.js";
import { checkSwiglu } from "./closed-forms.js";

test("swiglu primitive: its ref values and its own vjp match the closed form", () => {
  const lines: string[] = [];
  checkSwiglu(main((line) => lines.push(line)));
  assert.equal(swiglu.kind, "primitive");
  assert.ok(swiglu.spec.vjp && swiglu.spec.ref);
  assert.ok(lines.some((l) => l.startsWith("an odd last axis is refused: example.swiglu: ")));
});

test("swiglu's shape and dtype rules: halves the last axis, refuses odd sizes and int32", () => {
  assert.deepEqual(tensor([[[1, 2, 3, 4]]]).apply(swiglu).shape, [1, 1, 2]);
  assert.throws(
    () => tensor([1, 2, 3]).apply(swiglu),
    /^InstructionError: example\.swiglu: the last axis must have even size, got shape \[3\]$/,
  );
  assert.throws(
    () => tensor(5).apply(swiglu),
    /example\.swiglu: the last axis must have even size, got shape \[\]/,
  );
  assert.throws(
    () => tensor([1, 2], { dtype: "int32" }).apply(swiglu),
    /example\.swiglu: expects float32, got int32/,
  );
});
