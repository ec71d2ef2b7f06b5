import assert from "node:assert/strict";
import { test } from "node:test";
import * as customWithVjp from "../../examples/custom-instruction-with-vjp.js";
import * as softplusByDecomposition from "../../examples/softplus-by-decomposition.js";
import { availableTargets, withTarget } from "../../src/index.js";
import { checkSoftplus, checkSwiglu } from "./closed-forms.js";

// An instruction added with defineInstruction must work on every target without touching
// target code: the decomposed one through the instructions it is made of, the primitive
// through its ref semantics or a kernel of the target's own.
const targets = availableTargets();

test("there is at least one target to run the examples on", () => {
  assert.ok(targets.length >= 1);
});

for (const target of targets) {
  test(`both defineInstruction examples give the closed-form results on the "${target.name}" target`, () => {
    withTarget(target, () => {
      checkSoftplus(softplusByDecomposition.main(() => {}));
      checkSwiglu(customWithVjp.main(() => {}));
    });
  });
}
