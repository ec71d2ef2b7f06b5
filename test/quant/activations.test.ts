import assert from "node:assert/strict";
import { test } from "node:test";
import {
  activationFormat,
  bf16Bits,
  bf16Value,
  dequantize,
  QUANT_TYPES,
  quantize,
  roundActivations,
  roundToF16,
} from "../../src/quant/index.js";

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (s * 1103515245 + 12345) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    // Blocks of very different magnitudes, and one block of zeros.
    return i >= 256 && i < 288 ? 0 : u * 10 ** (((i >> 5) % 5) - 2);
  });
}

const x = values(512, 7);
const rounded = (type: Parameters<typeof roundActivations>[0]) =>
  roundActivations(type, x, 256, new Float32Array(x.length));

test("f16 and bf16 rounding equal the codecs' conversions; F32 is unchanged", () => {
  assert.deepEqual(rounded("F16"), x.map(roundToF16));
  assert.deepEqual(
    rounded("BF16"),
    x.map((v) => bf16Value(bf16Bits(v))),
  );
  assert.deepEqual(rounded("F32"), x);
});

test("Q8_0 rounding equals quantizing to Q8_0 and back", () => {
  assert.deepEqual(rounded("Q4_0"), dequantize("Q8_0", quantize("Q8_0", x, 256), 256));
});

test("Q8_K rounding: blocks of 256, scale 127/amax, quants rounded to even", () => {
  const expected = new Float32Array(x.length);
  for (let b = 0; b < 2; b++) {
    const block = x.subarray(b * 256, (b + 1) * 256);
    const amax = block.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const iscale = Math.fround(127 / amax);
    const d = Math.fround(1 / iscale);
    block.forEach((v, i) => {
      const y = Math.fround(v * iscale);
      const q = Math.fround(Math.fround(y + 12582912) - 12582912);
      expected[b * 256 + i] = Math.fround(q * d);
    });
  }
  assert.deepEqual(rounded("Q6_K"), expected);
});

test("the format follows llama.cpp's vec_dot_type for each weight type", () => {
  assert.deepEqual(QUANT_TYPES.map(activationFormat), [
    "F32",
    "F16",
    "BF16",
    "Q8_0",
    "Q8_0",
    "Q8_0",
    "Q8_0",
    "Q8_0",
    "Q8_K",
    "Q8_K",
    "Q8_K",
  ]);
});

test("rows that are not whole blocks are refused", () => {
  assert.throws(() => roundActivations("Q4_K", x, 128, new Float32Array(x.length)), /multiple of 256/);
});
