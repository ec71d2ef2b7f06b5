import assert from "node:assert/strict";
import { test } from "node:test";
import * as customWithVjp from "../../examples/custom-instruction-with-vjp.js";
import * as softplusByDecomposition from "../../examples/softplus-by-decomposition.js";
import { availableTargets, type Target, withTarget } from "../../src/index.js";
import { nativeAvailability } from "../../src/targets/native/availability.js";
import { checkSoftplus, checkSwiglu } from "./closed-forms.js";

// An instruction added with defineInstruction must work on every target without touching
// target code: the decomposed one through the instructions it is made of, the primitive
// through its ref semantics or a kernel of the target's own.
const targets = availableTargets();

test("the examples run on every target this machine has: ref and wasm always, native where C compiles", () => {
  const names = targets.map((t) => t.name);
  assert.ok(names.includes("ref") && names.includes("wasm"), names.join(", "));
  const native = nativeAvailability();
  assert.equal(names.includes("native"), native.available, `native: ${native.reason ?? "available"}`);
});

/** The target, counting the programs it is asked to run. */
function counting(target: Target): { target: Target; runs: () => number } {
  let runs = 0;
  const counted: Target = {
    name: target.name,
    description: target.description,
    hasKernel: (i) => target.hasKernel(i),
    run: (program, inputs) => {
      runs++;
      return target.run(program, inputs);
    },
    ...(target.runResident
      ? {
          runResident: (program, inputs) => {
            runs++;
            return target.runResident!(program, inputs);
          },
        }
      : {}),
  };
  return { target: counted, runs: () => runs };
}

for (const target of targets) {
  test(`both defineInstruction examples give the closed-form results on the "${target.name}" target`, () => {
    const { target: counted, runs } = counting(target);
    withTarget(counted, () => {
      checkSoftplus(softplusByDecomposition.main(() => {}));
      checkSwiglu(customWithVjp.main(() => {}));
    });
    assert.ok(runs() > 0, `the examples ran nothing on ${target.name}`);
  });
}
