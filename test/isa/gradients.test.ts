import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { lookupInstruction } from "../../src/isa/index.js";
import { createRefTarget } from "../../src/targets/index.js";
import { checkGradient, lcg } from "../helpers/values.js";
import { cases, sampleArbitrary } from "./cases.js";

// Every differentiable instruction's VJP against central finite differences of its
// reference semantics, both in float64, on random shapes.
const ref64 = createRefTarget({ name: "ref64", float64: true });
const MAX_RELATIVE_ERROR = 1e-4;

for (const [name, c] of Object.entries(cases)) {
  const inst = lookupInstruction(name)!;
  if (!inst.differentiable || !c.random) continue;
  test(`${name}: VJP matches finite differences`, () => {
    fc.assert(
      fc.property(sampleArbitrary(c.minRank), ({ dims, seed }) => {
        const drawn = c.random!(dims, lcg(seed));
        const sample = c.gradientSample?.(drawn) ?? drawn;
        const { maxRelError, where } = checkGradient(inst, sample.inputs, sample.attrs ?? {}, ref64, seed);
        assert.ok(
          maxRelError <= MAX_RELATIVE_ERROR,
          `max relative error ${maxRelError.toExponential(2)} at ${where}; attrs ${JSON.stringify(sample.attrs ?? {})}, shapes ${sample.inputs.map((v) => `[${v.shape}]`).join(" ")}`,
        );
      }),
      { numRuns: 30 },
    );
  });
}
