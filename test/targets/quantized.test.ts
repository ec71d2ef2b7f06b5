import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isa, type Tensor, tensor, withTarget } from "../../src/index.js";
import { codecOf, QUANT_TYPES, quantize } from "../../src/quant/index.js";
import { availableTargets, createRefTarget, type Target } from "../../src/targets/index.js";
import { nativeAvailability } from "../../src/targets/native/availability.js";
import { createNativeTarget } from "../../src/targets/native/native-target.js";
import { compareValues, f32, lcg } from "../helpers/values.js";

/**
 * The quantized instructions on every target at the shapes models have: many rows of x
 * (prompt prefill, where kernels decode weights into blocks), few (decoding), odd row and
 * column counts, several threads, x float32 or rounded as llama.cpp rounds it (the native
 * target's integer dot products for few rows). Products agree with the reference; dequantize is
 * bit-identical to the codec everywhere.
 */
const ref = createRefTarget();
const targets: Target[] = [...availableTargets().filter((t) => t.name !== "ref")];
if (nativeAvailability().available) {
  // Every kernel with more than one tile split across three threads, however small.
  targets.push(
    createNativeTarget({
      name: "native-3-threads",
      threads: 3,
      parallelWork: { elements: 1, multiplyAdds: 1 },
    }),
  );
}

const shape = fc.record({
  type: fc.constantFrom(...QUANT_TYPES),
  m: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 70 })),
  n: fc.integer({ min: 1, max: 70 }),
  blocks: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  rounded: fc.boolean(),
});

function operands(type: (typeof QUANT_TYPES)[number], m: number, n: number, blocks: number, seed: number) {
  const rnd = lcg(seed);
  // Plain float rows need not be whole chunks of 32: an odd tail exercises the kernels' tails.
  const block = codecOf(type).blockSize;
  const k = block === 1 ? 32 * blocks + (seed % 7) : block * blocks;
  const packed = quantize(
    type,
    Float32Array.from({ length: n * k }, () => rnd() * 2 - 1),
    k,
  );
  const x = Float32Array.from({ length: m * k }, () => rnd() * 2 - 1);
  return { k, packed, x };
}

for (const target of targets) {
  test(`${target.name}: quantizedMatmul and dequantize against the reference at model shapes`, () => {
    fc.assert(
      fc.property(shape, ({ type, m, n, blocks, seed, rounded }) => {
        const { k, packed, x } = operands(type, m, n, blocks, seed);
        const run = (t: Target) =>
          withTarget(t, () => {
            const w: Tensor = tensor(packed, [n, packed.length / n], { dtype: "uint8" });
            const product = tensor(x, [m, k]).apply(isa.quantizedMatmul, w, {
              type,
              ...(rounded ? { roundActivations: true } : {}),
            });
            const values = w.apply(isa.dequantize, { type });
            return [product.dataSync(), values.dataSync()] as const;
          });
        const [product, values] = run(target);
        const [expectedProduct, expectedValues] = run(ref);
        const problem = compareValues(f32(product, [m, n]), f32(expectedProduct, [m, n]), 1e-4, 1e-5 * k);
        assert.equal(
          problem,
          undefined,
          `${type}${rounded ? " rounded" : ""} [${m},${k}]·[${n},${k}]ᵀ: ${problem}`,
        );
        const first = values.findIndex((v, i) => !Object.is(v, expectedValues[i]));
        assert.equal(
          first,
          -1,
          `${type}: dequantized value ${first} is ${values[first]}, the codec's ${expectedValues[first]}`,
        );
      }),
      { numRuns: 60 },
    );
  });
}
