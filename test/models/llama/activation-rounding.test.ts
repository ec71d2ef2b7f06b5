import assert from "node:assert/strict";
import { test } from "node:test";
import { GGML_TYPE } from "../../../src/formats/gguf/ggml-types.js";
import { activationFormatOf, roundActivations } from "../../../src/models/llama/activation-rounding.js";
import { bf16Bits, bf16Value, dequantize, quantize, roundToF16 } from "../../../src/quant/index.js";
import { tensor } from "../../../src/tensor/creation.js";

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
const rounded = (format: Parameters<typeof roundActivations>[1]) =>
  roundActivations(tensor(x, [2, 256]), format).dataSync() as Float32Array;

test("f16 and bf16 rounding equal the codecs' conversions", () => {
  assert.deepEqual(rounded("f16"), x.map(roundToF16));
  assert.deepEqual(
    rounded("bf16"),
    x.map((v) => bf16Value(bf16Bits(v))),
  );
});

test("q8_0 rounding equals quantizing to Q8_0 and back", () => {
  assert.deepEqual(rounded("q8_0"), dequantize("Q8_0", quantize("Q8_0", x, 256), 256));
});

test("q8_K rounding: blocks of 256, scale 127/amax, quants rounded to even", () => {
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
  assert.deepEqual(rounded("q8_K"), expected);
});

test("the format follows llama.cpp's vec_dot_type for each weight type", () => {
  const formats = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"].map(
    (t) => activationFormatOf(GGML_TYPE[t as keyof typeof GGML_TYPE]),
  );
  assert.deepEqual(formats, [
    "f32",
    "f16",
    "bf16",
    "q8_0",
    "q8_0",
    "q8_0",
    "q8_0",
    "q8_0",
    "q8_K",
    "q8_K",
    "q8_K",
  ]);
});
