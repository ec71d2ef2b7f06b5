import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { lookupInstruction } from "../../src/isa/index.js";
import { availableTargets } from "../../src/targets/index.js";
import { targetsWithOwnKernels } from "../helpers/own-kernel-targets.js";
import { targetsUnderTest } from "../helpers/targets-under-test.js";
import { compareValues, lcg, runOnTarget, runOracle } from "../helpers/values.js";
import { cases, sampleArbitrary } from "./cases.js";

/**
 * Differential tests: every instruction on every target against its reference semantics,
 * on random shapes, and each kernel a target variant claims an instruction with (see
 * own-kernel-targets.ts). Tolerance: float32 rtol 1e-4 / atol 1e-5 (decompositions round at
 * each step where the oracle computes in one go); int32 and bool exactly.
 */
const tolerance = { float32: [1e-4, 1e-5], int32: [0, 0], bool: [0, 0], uint8: [0, 0] } as const;

const builtIn = availableTargets();
for (const target of targetsUnderTest(targetsWithOwnKernels)) {
  describe(`target ${target.name}`, () => {
    for (const [name, c] of Object.entries(cases)) {
      if (!c.random) continue;
      const inst = lookupInstruction(name)!;
      // Variants with kernels of their own are tested on what they claim beyond the built-in ones.
      if (!builtIn.includes(target) && (inst.kind === "primitive" || !target.hasKernel(inst))) continue;
      test(`${name} matches ref on random shapes`, () => {
        fc.assert(
          fc.property(sampleArbitrary(c.minRank), ({ dims, seed }) => {
            const sample = c.random!(dims, lcg(seed));
            const expected = runOracle(inst, sample.inputs, sample.attrs ?? {});
            const [rtol, atol] = tolerance[expected.dtype];
            const problem = compareValues(
              runOnTarget(inst, sample.inputs, sample.attrs ?? {}, target),
              expected,
              rtol,
              atol,
            );
            assert.equal(problem, undefined, `${problem} for ${JSON.stringify(sample.attrs ?? {})}`);
          }),
          // A GPU in CI is SwiftShader on the CPU, where every new kernel costs a shader compile.
          { numRuns: target.name === "webgpu" ? 12 : 40 },
        );
      });
    }
  });
}
