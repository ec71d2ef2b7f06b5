import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GGML_TYPE } from "../../src/formats/gguf/ggml-types.js";
import {
  bf16Bits,
  bf16Value,
  dequantize,
  f16Bits,
  f16Value,
  QUANT_TYPES,
  type QuantType,
  quantize,
  rowBytes,
  rowColumns,
} from "../../src/quant/index.js";
import { lcg } from "../helpers/values.js";

const bytes = (...xs: number[]) => Uint8Array.from(xs);
const repeat = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe("half-precision conversions", () => {
  test("binary16: exact values, ties to even, overflow, subnormals, NaN", () => {
    assert.equal(f16Bits(1), 0x3c00);
    assert.equal(f16Bits(-2), 0xc000);
    assert.equal(f16Bits(65504), 0x7bff);
    assert.equal(f16Bits(65520), 0x7c00, "halfway to 65536 rounds to even: infinity");
    assert.equal(f16Bits(1 + 2 ** -11), 0x3c00, "a tie rounds to the even mantissa");
    assert.equal(f16Bits(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(f16Bits(2 ** -24), 0x0001, "smallest subnormal");
    assert.equal(f16Bits(2 ** -25), 0x0000, "half the smallest subnormal ties to zero");
    assert.equal(f16Bits(1.5 * 2 ** -25), 0x0001);
    assert.equal(f16Bits(-0), 0x8000);
    assert.equal(f16Bits(Number.POSITIVE_INFINITY), 0x7c00);
    assert.ok((f16Bits(Number.NaN) & 0x7c00) === 0x7c00 && (f16Bits(Number.NaN) & 0x3ff) !== 0);
    assert.equal(f16Value(0x3555), 0.333251953125);
    assert.equal(f16Value(0x0001), 2 ** -24);
    assert.equal(f16Value(0xfbff), -65504);
  });

  test("bfloat16: the top half, ties to even", () => {
    assert.equal(bf16Bits(1), 0x3f80);
    assert.equal(bf16Bits(1 + 2 ** -8), 0x3f80);
    assert.equal(bf16Bits(1 + 3 * 2 ** -8), 0x3f82);
    assert.equal(bf16Bits(-3.5), 0xc060);
    assert.equal(bf16Value(0x4049), 3.140625);
    assert.ok(Number.isNaN(bf16Value(bf16Bits(Number.NaN))));
  });
});

describe("block layouts, constructed by hand", () => {
  test("row sizes", () => {
    const sizes: Record<QuantType, [number, number]> = {
      F32: [1, 4],
      F16: [1, 2],
      BF16: [1, 2],
      Q8_0: [32, 34],
      Q4_0: [32, 18],
      Q4_1: [32, 20],
      Q5_0: [32, 22],
      Q5_1: [32, 24],
      Q4_K: [256, 144],
      Q5_K: [256, 176],
      Q6_K: [256, 210],
    };
    for (const type of QUANT_TYPES) {
      const [block, size] = sizes[type];
      assert.equal(GGML_TYPE[type].blockSize, block, `${type} block size agrees with the GGUF type table`);
      assert.equal(GGML_TYPE[type].bytesPerBlock, size, `${type} block bytes agree with the GGUF type table`);
      assert.equal(rowBytes(type, 2 * block), 2 * size, type);
      assert.equal(rowColumns(type, 3 * size), 3 * block, type);
    }
    assert.throws(() => rowBytes("Q4_0", 300), /a Q4_0 row holds a multiple of 32 values, got 300/);
    assert.throws(() => rowBytes("Q4_K", 288), /a Q4_K row holds a multiple of 256 values, got 288/);
    assert.throws(() => rowColumns("Q6_K", 200), /multiple of 210 bytes/);
  });

  test("Q8_0: d = amax/127, q = round(x/d)", () => {
    // 63.5 is the largest magnitude: d = 0.5 (binary16 0x3800), id = 2, so q = 2x exactly.
    const x = Float32Array.from(repeat(32, (j) => (j === 31 ? 63.5 : (j - 16) / 2)));
    const expected = bytes(0x00, 0x38, ...repeat(31, (j) => (j - 16) & 0xff), 127);
    assert.deepEqual(quantize("Q8_0", x, 32), expected);
    assert.deepEqual(dequantize("Q8_0", expected, 32), x);
    // Decoding: d = 1.0, int8 quants.
    const block = bytes(0x00, 0x3c, 0x80, 0xff, 0x00, 0x01, 0x7f, ...repeat(27, () => 0));
    assert.deepEqual(Array.from(dequantize("Q8_0", block, 32).slice(0, 5)), [-128, -1, 0, 1, 127]);
  });

  test("Q4_0: d = max/−8, nibble j holds values j (low) and j+16 (high)", () => {
    // The first value of largest magnitude is −8: d = 1, q = x + 8.
    const x = Float32Array.from(repeat(32, (j) => (j % 16) - 8));
    const expected = bytes(0x00, 0x3c, ...repeat(16, (j) => j | (j << 4)));
    assert.deepEqual(quantize("Q4_0", x, 32), expected);
    assert.deepEqual(dequantize("Q4_0", expected, 32), x);
    // d = 2.0: 0x0f decodes to (15 − 8)·2 = 14 and (0 − 8)·2 = −16.
    const block = bytes(0x00, 0x40, 0x0f, ...repeat(15, () => 0x88));
    const y = dequantize("Q4_0", block, 32);
    assert.equal(y[0], 14);
    assert.equal(y[16], -16);
    assert.equal(y[1], 0);
  });

  test("Q4_1: d = (max − min)/15, m = min", () => {
    const x = Float32Array.from(repeat(32, (j) => (j % 16) * 0.5 + 1));
    const expected = bytes(0x00, 0x38, 0x00, 0x3c, ...repeat(16, (j) => j | (j << 4)));
    assert.deepEqual(quantize("Q4_1", x, 32), expected);
    assert.deepEqual(dequantize("Q4_1", expected, 32), x);
  });

  test("Q5_0 and Q5_1: fifth bits in a little-endian uint32", () => {
    // x = j − 16: d = 1 (max −16), q = j; values 16..31 have the fifth bit: qh = 0xffff0000.
    const x0 = Float32Array.from(repeat(32, (j) => j - 16));
    const q50 = bytes(0x00, 0x3c, 0x00, 0x00, 0xff, 0xff, ...repeat(16, (j) => j | (j << 4)));
    assert.deepEqual(quantize("Q5_0", x0, 32), q50);
    assert.deepEqual(dequantize("Q5_0", q50, 32), x0);
    // x = j/4 − 2: d = 0.25, m = −2, q = j.
    const x1 = Float32Array.from(repeat(32, (j) => j / 4 - 2));
    const q51 = bytes(0x00, 0x34, 0x00, 0xc0, 0x00, 0x00, 0xff, 0xff, ...repeat(16, (j) => j | (j << 4)));
    assert.deepEqual(quantize("Q5_1", x1, 32), q51);
    assert.deepEqual(dequantize("Q5_1", q51, 32), x1);
  });

  test("Q4_K: 6-bit scales and mins packed in 12 bytes", () => {
    const sc = [1, 2, 3, 4, 17, 33, 63, 48];
    const m = [0, 5, 10, 63, 16, 32, 1, 2];
    // Bytes 0–3: scales 0–3, top bits of scales 4–7; bytes 4–7: mins 0–3, top bits of mins
    // 4–7; bytes 8–11: low nibbles of scale and min 4–7.
    const scales = [65, 130, 195, 196, 64, 133, 10, 63, 1, 1, 31, 32];
    // d = 1, dmin = 0.5; every quant byte 0x5a: low nibble 10 (first 32 of each 64), high 5.
    const block = bytes(0x00, 0x3c, 0x00, 0x38, ...scales, ...repeat(128, () => 0x5a));
    const y = dequantize("Q4_K", block, 256);
    const expected = repeat(256, (i) => {
      const j = i >> 5;
      return sc[j]! * (j % 2 === 0 ? 10 : 5) - 0.5 * m[j]!;
    });
    assert.deepEqual(Array.from(y), expected);
  });

  test("Q5_K: the fifth bit of value l of pair j is bit 2j (first half) or 2j+1 of qh[l]", () => {
    // d = dmin = 1, every scale 1 and min 0; qh = 0x55 sets the fifth bit of each first half.
    const scales = [1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1];
    const block = bytes(
      0x00,
      0x3c,
      0x00,
      0x3c,
      ...scales,
      ...repeat(32, () => 0x55),
      ...repeat(128, () => 0x73),
    );
    const y = dequantize("Q5_K", block, 256);
    assert.deepEqual(
      Array.from(y),
      repeat(256, (i) => ((i >> 5) % 2 === 0 ? 3 + 16 : 7)),
    );
  });

  test("Q6_K: low nibbles in ql, two high bits per value in qh, int8 scales per 16", () => {
    // ql = 0x21 (low 1, high 2), qh = 0b11100100 (fields 0, 1, 2, 3), d = 0.5.
    const scales = [0xfd, ...repeat(15, () => 2)]; // −3, then 2s
    const block = bytes(...repeat(128, () => 0x21), ...repeat(64, () => 0xe4), ...scales, 0x00, 0x38);
    const y = dequantize("Q6_K", block, 256);
    const quants = [1 - 32, (1 | 16) - 32, (2 | 32) - 32, (2 | 48) - 32];
    assert.deepEqual(
      Array.from(y),
      repeat(256, (i) => 0.5 * (i < 16 ? -3 : 2) * quants[(i % 128) >> 5]!),
    );
  });
});

describe("round trips", () => {
  /** Bound on |x − decode(encode(x))| relative to the block's largest magnitude. */
  const bound: Record<QuantType, number> = {
    F32: 0,
    F16: 2 ** -11,
    BF16: 2 ** -8,
    Q8_0: 1 / 254 + 2 ** -10,
    // The largest magnitude maps to −8 (−16): values of the other sign stop at +7 (+15) steps.
    Q4_0: 1 / 8 + 2 ** -9,
    // Half a step of (max − min)/15, which is up to twice the largest magnitude.
    Q4_1: 1 / 15 + 2 ** -9,
    Q5_0: 1 / 16 + 2 ** -9,
    Q5_1: 1 / 31 + 2 ** -9,
    Q4_K: 0.15,
    Q5_K: 0.08,
    Q6_K: 0.04,
  };

  for (const type of QUANT_TYPES) {
    test(`${type}: error bounded by the block's scale; re-encoding is stable`, () => {
      const rnd = lcg(7);
      const columns = 512;
      const x = Float32Array.from(
        repeat(4 * columns, (i) => {
          const row = Math.floor(i / columns);
          const u = rnd() * 2 - 1;
          return row === 0
            ? u
            : row === 1
              ? u * 0.1 + 0.05
              : row === 2
                ? Math.tan(u * 1.4)
                : Math.round(u * 8) / 4;
        }),
      );
      const packed = quantize(type, x, columns);
      assert.equal(packed.length, 4 * rowBytes(type, columns));
      const y = dequantize(type, packed, columns);
      const block = type.endsWith("_K") ? 256 : type.startsWith("Q") ? 32 : 1;
      let worst = 0;
      for (let b = 0; b < x.length / block; b++) {
        let amax = 0;
        for (let i = 0; i < block; i++) amax = Math.max(amax, Math.abs(x[b * block + i]!));
        for (let i = 0; i < block; i++) {
          const k = b * block + i;
          const err = Math.abs(x[k]! - y[k]!);
          if (amax > 0) worst = Math.max(worst, err / amax);
          assert.ok(err <= bound[type] * amax, `${type} value ${k}: ${x[k]} → ${y[k]} (block max ${amax})`);
        }
      }
      if (process.env.QUANT_VERBOSE) console.log(type, "worst error / block max", worst);
      // Decoded values are representable exactly: encoding them again changes nothing.
      if (!type.endsWith("_K")) assert.deepEqual(dequantize(type, quantize(type, y, columns), columns), y);
    });
  }

  test("zeros stay zeros, and bad sizes are refused", () => {
    for (const type of QUANT_TYPES) {
      const y = dequantize(type, quantize(type, new Float32Array(256), 256), 256);
      assert.ok(
        y.every((v) => v === 0),
        type,
      );
    }
    assert.throws(() => quantize("Q8_0", new Float32Array(48), 48), /multiple of 32/);
    assert.throws(() => quantize("Q8_0", new Float32Array(40), 32), /not whole rows of 32/);
    assert.throws(() => dequantize("Q4_0", new Uint8Array(20), 32), /not whole Q4_0 rows/);
  });
});
