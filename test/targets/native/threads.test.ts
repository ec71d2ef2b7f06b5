import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arange, randn, type Tensor, tensor, withTarget } from "../../../src/index.js";
import { nativeAvailability } from "../../../src/targets/native/availability.js";
import { createNativeTarget } from "../../../src/targets/native/native-target.js";
import { compareValues } from "../../helpers/values.js";

/**
 * The native target on random fused programs and on matmuls of awkward shapes: it must
 * agree with the reference target, and give bit-identical results on 1 and on 3 threads
 * (tiles are taken dynamically, so any split of the work must compute the same values).
 */
const skip = nativeAvailability().available
  ? false
  : `native target unavailable: ${nativeAvailability().reason}`;
const native1 = createNativeTarget({ name: "native-1-thread", threads: 1 });
// Every kernel with more than one tile is split across the threads, however small.
const native3 = createNativeTarget({
  name: "native-3-threads",
  threads: 3,
  parallelWork: { elements: 1, multiplyAdds: 1 },
});

type Step = (x: Tensor, y: Tensor) => Tensor;
const steps: Record<string, Step> = {
  add: (x, y) => x.add(y),
  mulBroadcastRow: (x, y) => x.mul(y.sum(0, true)),
  subColumn: (x, y) => x.sub(y.mean(1, true)),
  exp: (x) => x.mul(0.3).exp(),
  tanh: (x) => x.tanh(),
  gelu: (x) => x.gelu(),
  sigmoid: (x) => x.sigmoid(),
  relu: (x) => x.relu(),
  log: (x) => x.abs().add(0.5).log(),
  sin: (x) => x.sin(),
  // a base away from 0 and a bounded exponent: rounding of the inputs is not amplified
  pow: (x, y) => x.abs().add(0.5).pow(y.tanh().mul(0.5)),
  transposeAdd: (x, y) => x.add(y.transpose().transpose()),
  flip: (x) => x.flip(1),
  sliceAndPad: (x) => x.slice([0, 1]).pad([0, 1], [0, 0]),
  softmax: (x) => x.softmax(),
  logSoftmax: (x) => x.logSoftmax(),
  layerNormish: (x) => x.sub(x.mean(1, true)).div(x.variance(1, true).add(1e-5).sqrt()),
  maxShift: (x) => x.sub(x.max(1, true)),
  maxOverRows: (x) => x.sub(x.max(0, true)),
  matmulT: (x, y) => x.matmul(y.transpose()).matmul(y).mul(0.01),
  reshapeRoundTrip: (x) => x.reshape([-1]).reshape(x.shape as number[]),
  where: (x, y) => x.gt(y).cast("float32").mul(x).add(y.mul(0.5)),
  // a host kernel (reference semantics on the target's memory) between generated ones
  gatherRows: (x, y) =>
    x
      .add(y)
      .gather(arange(x.shape[0]! - 1, -1, -1, { dtype: "int32" }), 0)
      .mul(0.5),
  // rows added into rows, some more than once (the sums must keep the indices' order)
  scatterRows: (x, y) =>
    x.scatterAdd(
      tensor(
        Array.from({ length: x.shape[0]! }, (_, i) => (i % 3 === 0 ? 0 : x.shape[0]! - i)),
        {
          dtype: "int32",
        },
      ),
      y,
    ),
  intRoundTrip: (x) => x.mul(3).cast("int32").cast("float32"),
};
const names = Object.keys(steps);

const run = (target: Parameters<typeof withTarget>[0], build: () => Tensor) =>
  withTarget(target, () => {
    const out = build();
    return { data: out.dataSync(), shape: out.shape, dtype: out.dtype };
  });

test("random fused programs: native matches ref, and 1 thread matches 3 threads bit for bit", {
  skip,
}, () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }),
      fc.integer({ min: 2, max: 300 }),
      fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 0, max: 1000 }),
      (rows, cols, program, seed) => {
        const build = () => {
          let x = randn([rows, cols], { seed });
          const y = randn([rows, cols], { seed: seed + 1 });
          for (const name of program) x = steps[name]!(x, y);
          // Sums of squares: no cancellation, so float32 rounding cannot outgrow the tolerance.
          return x.mul(x).sum(1);
        };
        const expected = run("ref", build);
        const one = run(native1, build);
        const three = run(native3, build);
        const problem = compareValues(one, expected, 1e-3, 1e-4);
        assert.equal(problem, undefined, `${program.join(" → ")}: ${problem}`);
        assert.deepEqual(three.data, one.data, `${program.join(" → ")}: 3 threads differ from 1`);
      },
    ),
    { numRuns: 60 },
  );
});

test("matmuls of awkward shapes: native matches ref, 1 thread matches 3 bit for bit", { skip }, () => {
  const cases: { name: string; build: () => Tensor }[] = [];
  // Sizes around the register block (MR up to 14, NR up to 64), the streaming path (M ≤ 4) and K blocks.
  for (const [m, k, n] of [
    [1, 300, 70],
    [3, 64, 129],
    [4, 513, 40],
    [5, 7, 9],
    [13, 100, 65],
    [50, 600, 97],
    [97, 33, 200],
    [130, 260, 130],
  ] as const) {
    cases.push({
      name: `${m}×${k}×${n}`,
      build: () => randn([m, k], { seed: m }).matmul(randn([k, n], { seed: n })),
    });
    cases.push({
      name: `${m}×${k}×${n}, A transposed`,
      build: () =>
        randn([k, m], { seed: m })
          .transpose()
          .matmul(randn([k, n], { seed: n })),
    });
  }
  cases.push({
    name: "batched 3×[20×30]·[30×40]",
    build: () => randn([3, 20, 30], { seed: 1 }).matmul(randn([3, 30, 40], { seed: 2 })),
  });
  cases.push({
    name: "batch broadcast [2,1,9,16]·[1,3,16,33]",
    build: () => randn([2, 1, 9, 16], { seed: 1 }).matmul(randn([1, 3, 16, 33], { seed: 2 })),
  });
  cases.push({
    name: "B broadcast along K (stride 0)",
    build: () =>
      randn([40, 50], { seed: 1 }).matmul(
        tensor([[1, -1, 2]])
          .expand([50, 3])
          .add(0),
      ),
  });
  // Fused epilogues: bias and activation, a residual, and results that are not float32
  // (their K is not split into blocks), on both the packed (≥ 32 rows) and streaming paths.
  for (const m of [3, 40]) {
    const x = () => randn([m, 1000], { seed: m });
    const w = () => randn([1000, 70], { seed: 5 });
    const bias = () => randn([70], { seed: 6 });
    cases.push({ name: `${m} rows: bias + gelu`, build: () => x().matmul(w()).add(bias()).gelu() });
    cases.push({
      name: `${m} rows: residual`,
      build: () =>
        x()
          .matmul(w())
          .mul(0.5)
          .add(randn([m, 70], { seed: 7 })),
    });
    cases.push({ name: `${m} rows: comparison`, build: () => x().matmul(w()).gt(bias()) });
    cases.push({ name: `${m} rows: to int32`, build: () => x().matmul(w()).mul(10).cast("int32") });
  }
  cases.push({
    name: "K = 0",
    build: () => randn([6, 0], { seed: 1 }).matmul(randn([0, 5], { seed: 2 })),
  });
  for (const { name, build } of cases) {
    const expected = run("ref", build);
    const one = run(native1, build);
    const three = run(native3, build);
    const problem = compareValues(one, expected, 1e-4, 1e-4);
    assert.equal(problem, undefined, `${name}: ${problem}`);
    assert.deepEqual(three.data, one.data, `${name}: 3 threads differ from 1`);
  }
});

test("reductions over long and strided axes, int32 and bool: native matches ref", { skip }, () => {
  const x = randn([37, 1000], { seed: 3 });
  const builds: Record<string, () => Tensor> = {
    sumRows: () => x.sum(1),
    sumColumns: () => x.sum(0),
    maxAll: () => x.max([0, 1]),
    meanColumnsKeep: () => x.mean(0, true),
    countPositive: () => x.gt(0).sum(1),
    intSum: () => x.mul(10).cast("int32").sum(0),
    intMax: () => x.mul(10).cast("int32").max(1),
    argmax: () => x.argmax(1),
  };
  for (const [name, build] of Object.entries(builds)) {
    const expected = run("ref", build);
    const one = run(native1, build);
    const three = run(native3, build);
    const problem = compareValues(one, expected, 1e-4, 1e-4);
    assert.equal(problem, undefined, `${name}: ${problem}`);
    assert.deepEqual(three.data, one.data, `${name}: 3 threads differ from 1`);
  }
});
