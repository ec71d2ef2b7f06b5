import assert from "node:assert/strict";
import { test } from "node:test";
import { main, softplus } from "../../examples/softplus-by-decomposition.js";
import { defaultTarget } from "../../src/index.js";
import { checkSoftplus } from "./closed-forms.js";

test("softplus defined only by decomposition: values and derivative (= sigmoid) from grad", () => {
  const lines: string[] = [];
  checkSoftplus(main((line) => lines.push(line)));
  assert.equal(softplus.kind, "composite");
  assert.equal(softplus.differentiable, true);
  // Nothing was declared but the decomposition; the target runs the instructions it is made of.
  assert.equal(defaultTarget().hasKernel(softplus), false);
  assert.match(lines[0]!, /^example\.softplus is a composite/);
  assert.ok(lines.some((l) => l.startsWith("max |d/dx − sigmoid| = ")));
});
