import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { randn, type Tensor, withTarget } from "../../../src/index.js";
import { createWebgpuTarget } from "../../../src/targets/webgpu/webgpu-target.js";
import { WorkerConnection } from "../../../src/targets/webgpu/worker-connection.js";
import { steps } from "../../helpers/fused-steps.js";
import { webgpuTarget } from "../../helpers/targets-under-test.js";
import { compareValues } from "../../helpers/values.js";

/**
 * The webgpu target on random fused programs and on matmuls of awkward shapes (edges of
 * the workgroup tiles, transposed and batched operands, fused epilogues), against ref.
 * Shapes are small: in CI the GPU is SwiftShader, on the CPU.
 */
const { target: webgpu, skip } = webgpuTarget();
const names = Object.keys(steps);

const run = (target: Parameters<typeof withTarget>[0], build: () => Tensor) =>
  withTarget(target, () => {
    const out = build();
    return { data: out.dataSync(), shape: out.shape, dtype: out.dtype };
  });

test("random fused programs: webgpu matches ref", { skip }, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 24 }),
      fc.integer({ min: 2, max: 70 }),
      fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 0, max: 1000 }),
      (rows, cols, program, seed) => {
        const build = () => {
          let x = randn([rows, cols], { seed });
          const y = randn([rows, cols], { seed: seed + 1 });
          for (const name of program) x = steps[name]!(x, y);
          return x;
        };
        const problem = compareValues(run(webgpu!, build), run("ref", build), 1e-3, 1e-4);
        assert.equal(problem, undefined, `${program.join(" → ")}: ${problem}`);
      },
    ),
    { numRuns: 12 },
  );
});

test("matmuls of awkward shapes with fused epilogues: webgpu matches ref", { skip }, () => {
  for (const [m, k, n] of [
    [1, 37, 70],
    [65, 17, 63],
    [70, 100, 1],
  ] as const) {
    const cases: Record<string, () => Tensor> = {
      plain: () => randn([m, k], { seed: m }).matmul(randn([k, n], { seed: n })),
      transposed: () =>
        randn([k, m], { seed: m })
          .transpose()
          .matmul(randn([n, k], { seed: n }).transpose()),
      "bias, GELU, residual": () =>
        randn([m, k], { seed: 1 })
          .matmul(randn([k, n], { seed: 2 }))
          .add(randn([n], { seed: 3 }))
          .gelu()
          .add(randn([m, n], { seed: 4 })),
      batched: () => randn([2, 3, m, k], { seed: 5 }).matmul(randn([3, k, n], { seed: 6 })),
    };
    for (const [name, build] of Object.entries(cases)) {
      const problem = compareValues(run(webgpu!, build), run("ref", build), 1e-4, 1e-4);
      assert.equal(problem, undefined, `${m}×${k}×${n} ${name}: ${problem}`);
    }
  }
});

test("reductions agree with ref with and without subgroup operations", { skip }, () => {
  const tree = createWebgpuTarget(new WorkerConnection(), {
    name: "webgpu-without-subgroups",
    noSubgroups: true,
  });
  for (const [rows, cols] of [
    [3, 1000],
    [40, 7],
    [1, 70000],
  ] as const) {
    const build = () => {
      const x = randn([rows, cols], { seed: rows });
      return x.sum(1).add(x.gt(0).sum(1).cast("float32")).add(x.softmax().max(1));
    };
    const expected = run("ref", build);
    for (const target of [webgpu!, tree]) {
      const problem = compareValues(run(target, build), expected, 1e-4, 1e-4);
      assert.equal(problem, undefined, `${target.name}, ${rows}×${cols}: ${problem}`);
    }
  }
});
