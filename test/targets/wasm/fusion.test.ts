import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { concat, createWasmTarget, randn, Tensor, tensor, withTarget, zeros } from "../../../src/index.js";
import { steps } from "../../helpers/fused-steps.js";
import { compareValues } from "../../helpers/values.js";

/**
 * Random programs of elementwise, movement, reduction and matmul instructions: the wasm
 * target (which fuses them into few kernels and turns movement into views) must agree
 * with the reference target, and give bit-identical results on 1 and on 3 threads.
 */
const wasm1 = createWasmTarget({ name: "wasm-1-thread", threads: 1 });
// Every kernel with more than one tile is split across the threads, however small.
const wasm3 = createWasmTarget({ name: "wasm-3-threads", threads: 3, parallelWork: 1 });

const names = Object.keys(steps);

test("random fused programs: wasm matches ref, and 1 thread matches 3 threads bit for bit", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }),
      fc.integer({ min: 2, max: 70 }),
      fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 0, max: 1000 }),
      (rows, cols, program, seed) => {
        const build = () => {
          let x = randn([rows, cols], { seed });
          const y = randn([rows, cols], { seed: seed + 1 });
          for (const name of program) x = steps[name]!(x, y);
          // Compared element by element: a final sum would cancel (layer norm sums to 0).
          return x;
        };
        const run = (target: Parameters<typeof withTarget>[0]) =>
          withTarget(target, () => {
            const out = build();
            return { data: out.dataSync(), shape: out.shape, dtype: out.dtype };
          });
        const expected = run("ref");
        const one = run(wasm1);
        const three = run(wasm3);
        const problem = compareValues(one, expected, 1e-3, 1e-4);
        assert.equal(problem, undefined, `${program.join(" → ")}: ${problem}`);
        assert.deepEqual(three.data, one.data, `${program.join(" → ")}: 3 threads differ from 1`);
      },
    ),
    { numRuns: 60 },
  );
});

test("fusion reduces kernels: a GELU MLP block with layer norm and residual", () => {
  const [x, w1, w2] = [
    randn([16, 32], { seed: 1 }),
    randn([32, 128], { seed: 2 }),
    randn([128, 32], { seed: 3 }),
  ];
  Tensor.realize(x, w1, w2);
  const h = x
    .sub(x.mean(1, true))
    .div(x.variance(1, true).add(1e-5).sqrt())
    .matmul(w1)
    .gelu()
    .matmul(w2)
    .add(x);
  const explanation = withTarget(wasm1, () => Tensor.explain([h], { runs: 1 }));
  const kernels = explanation.profile.kernels.length;
  assert.ok(
    explanation.instructions > 2 * kernels,
    `${explanation.instructions} instructions → ${kernels} kernels`,
  );
  // mean, variance (its own mean and squares), normalise, matmul, GELU, matmul, residual add
  assert.ok(kernels <= 9, `expected at most 9 kernels, got ${kernels}:\n${explanation}`);
});

test("instructions run on reference code read a slice from where it starts", () => {
  const tail = () => tensor([10, 11, 12, 13]).slice([2], [4]);
  for (const target of ["ref", wasm1, wasm3] as const) {
    withTarget(target, () => {
      assert.deepEqual(Array.from(concat([tensor([1, 2]), tail()]).dataSync()), [1, 2, 12, 13]);
      assert.deepEqual(
        Array.from(
          tail()
            .gather(tensor([1, 0], { dtype: "int32" }))
            .dataSync(),
        ),
        [13, 12],
      );
      assert.deepEqual(Array.from(tail().pad([1], [0]).dataSync()), [0, 12, 13]);
      const added = zeros([3, 2]).scatterAdd(tensor([1], { dtype: "int32" }), tail().reshape([1, 2]), 0);
      assert.deepEqual(Array.from(added.dataSync()), [0, 0, 12, 13, 0, 0]);
    });
  }
});

test("matmul with an operand broadcast along K (stride 0) and tiny shapes", () => {
  const a = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = tensor([[1, -1]]).expand([3, 2]);
  for (const target of ["ref", wasm1, wasm3] as const) {
    withTarget(target, () => {
      assert.deepEqual(Array.from(a.matmul(b).dataSync()), [6, -6, 15, -15]);
      assert.deepEqual(
        Array.from(
          a
            .slice([0, 2])
            .matmul(b.slice([2]))
            .dataSync(),
        ),
        [3, -3, 6, -6],
      );
    });
  }
});

test("row × matrix products (one row of A): chunks of columns split across threads, with an epilogue", () => {
  for (const [k, n] of [
    [1, 3],
    [7, 17],
    [9, 513],
    [17, 1030],
    [20, 4100],
  ] as const) {
    const x = randn([1, k], { seed: k });
    const w = randn([k, n], { seed: n });
    const b = randn([n], { seed: 3 });
    const build = () => [x.matmul(w), x.matmul(w).add(b).gelu()];
    const run = (target: Parameters<typeof withTarget>[0]) =>
      withTarget(target, () => build().map((t) => ({ data: t.dataSync(), shape: t.shape, dtype: t.dtype })));
    const expected = run("ref");
    const one = run(wasm1);
    const three = run(wasm3);
    one.forEach((v, i) => {
      assert.equal(compareValues(v, expected[i]!, 1e-4, 1e-5), undefined, `${k}×${n}`);
      assert.deepEqual(three[i]!.data, v.data, `${k}×${n}: 3 threads differ from 1`);
    });
  }
});
