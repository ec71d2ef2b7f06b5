import assert from "node:assert/strict";
import { test } from "node:test";
import { lookupInstruction } from "../../src/isa/index.js";
import { getTarget } from "../../src/targets/index.js";
import { tensor } from "../../src/tensor/creation.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { targetsWithOwnKernels } from "../helpers/own-kernel-targets.js";
import { f32, runOnTarget } from "../helpers/values.js";

test("a target claims a composite through its kernel table, and gets it whole", () => {
  const relu = lookupInstruction("relu")!;
  const gelu = lookupInstruction("gelu")!;
  assert.equal(getTarget("wasm").hasKernel(relu), false);
  for (const target of targetsWithOwnKernels()) {
    assert.equal(target.hasKernel(relu), true, target.name);
    assert.equal(target.hasKernel(gelu), false, target.name);
    const y = tensor([-2, -0.5, 0, 0.5, 2]).relu();
    const { profile } = Tensor.explain([y], { target, runs: 1 });
    assert.deepEqual(
      profile.kernels.map((k) => [k.kind, k.fused]),
      [["instruction", "relu"]],
      `${target.name} runs relu as one kernel of its own, not as max(x, 0)`,
    );
    const out = runOnTarget(relu, [f32([-2, -0.5, 0, 0.5, 2, Number.NaN])], {}, target);
    assert.deepEqual(Array.from(out.data), [0, 0, 0, 0.5, 2, Number.NaN]);
  }
});
