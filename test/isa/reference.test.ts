import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lookupInstruction } from "../../src/isa/index.js";
import { targetsUnderTest } from "../helpers/targets-under-test.js";
import { compareValues, runOnTarget, runOracle } from "../helpers/values.js";
import { cases } from "./cases.js";

// Hand-computed cases: first the reference semantics alone, then the whole pipeline on
// every target (which, for composites, runs their decompositions).
for (const [name, c] of Object.entries(cases)) {
  describe(name, () => {
    const inst = lookupInstruction(name)!;
    c.examples.forEach((ex, i) => {
      const label = `example ${i + 1}: ${ex.inputs.map((v) => `${v.dtype}[${v.shape}]`).join(", ")} ${JSON.stringify(ex.attrs ?? {})}`;
      const verify = (out: ReturnType<typeof runOracle>) => {
        if (ex.check) ex.check(out);
        if (ex.expected) {
          const problem = compareValues(out, ex.expected, 1e-6, 1e-6);
          assert.equal(problem, undefined, problem);
        }
      };
      const expectOutcome = (run: () => ReturnType<typeof runOracle>) => {
        assert.ok(ex.expected || ex.check || ex.throws, `${name} ${label} states no expected outcome`);
        if (ex.throws) assert.throws(run, ex.throws);
        else verify(run());
      };
      test(`${label}: ref`, () => expectOutcome(() => runOracle(inst, ex.inputs, ex.attrs ?? {})));
      for (const target of targetsUnderTest()) {
        test(`${label}: on ${target.name}`, () =>
          expectOutcome(() => runOnTarget(inst, ex.inputs, ex.attrs ?? {}, target)));
      }
    });
  });
}
