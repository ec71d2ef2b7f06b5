import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { dequantize, QUANT_TYPES, quantize, rowBytes } from "../../src/quant/index.js";
import { lcg } from "../helpers/values.js";

/**
 * The codecs against ggml itself: llama.cpp's libggml-base, as node-llama-cpp ships it in
 * bench/ (`bench/setup.sh`), called through koffi. Every byte of every quantized block and
 * every decoded value must be identical. Skipped, saying so, where bench/ is not set up.
 */
const platform = `${process.platform}-${process.arch}`;
const library = fileURLToPath(
  new URL(
    `../../../bench/node_modules/@node-llama-cpp/${platform}/bins/${platform}/libggml-base.${process.platform === "darwin" ? "dylib" : "so"}`,
    import.meta.url,
  ),
);
const present = existsSync(library);

interface Library {
  func(declaration: string): (...args: unknown[]) => void;
}

test("quantize and dequantize are byte-identical to ggml's reference code", {
  skip: present ? false : `llama.cpp's libggml-base is not in bench/node_modules (run bench/setup.sh)`,
}, () => {
  const koffi = createRequire(import.meta.url)("koffi") as { load(path: string): Library };
  const ggml = koffi.load(library);
  const rnd = lcg(2024);
  const columns = 1024;
  const rows = 48;
  // Rows of different character: uniform, offset, heavy-tailed, few distinct values, tiny.
  const x = Float32Array.from({ length: rows * columns }, (_, i) => {
    const u = rnd() * 2 - 1;
    switch (Math.floor(i / columns) % 6) {
      case 0:
        return u;
      case 1:
        return u * 0.01 + 0.02;
      case 2:
        return Math.tan(u * 1.5);
      case 3:
        return Math.round(u * 8) / 4;
      case 4:
        return u * 1e-6;
      default:
        return u * 3e4;
    }
  });
  for (const type of QUANT_TYPES) {
    if (type === "F32") continue;
    const size = rows * rowBytes(type, columns);
    const theirs = new Uint8Array(size);
    const decoded = new Float32Array(x.length);
    if (type === "F16" || type === "BF16") {
      const from = type === "F16" ? "ggml_fp32_to_fp16_row" : "ggml_fp32_to_bf16_row_ref";
      const to = type === "F16" ? "ggml_fp16_to_fp32_row" : "ggml_bf16_to_fp32_row";
      ggml.func(`void ${from}(const float *x, _Out_ uint8_t *y, int64_t n)`)(x, theirs, x.length);
      ggml.func(`void ${to}(const uint8_t *x, _Out_ float *y, int64_t n)`)(theirs, decoded, x.length);
    } else {
      const ggmlName = type.replace("Q", "q");
      ggml.func(`void quantize_row_${ggmlName}_ref(const float *x, _Out_ uint8_t *y, int64_t k)`)(
        x,
        theirs,
        x.length,
      );
      ggml.func(`void dequantize_row_${ggmlName}(const uint8_t *x, _Out_ float *y, int64_t k)`)(
        theirs,
        decoded,
        x.length,
      );
    }
    const ours = quantize(type, x, columns);
    const firstByte = ours.findIndex((b, i) => b !== theirs[i]);
    assert.equal(
      firstByte,
      -1,
      `${type}: byte ${firstByte} is ${ours[firstByte]}, ggml wrote ${theirs[firstByte]}`,
    );
    const values = dequantize(type, theirs, columns);
    const firstValue = values.findIndex((v, i) => !Object.is(v, decoded[i]));
    assert.equal(
      firstValue,
      -1,
      `${type}: value ${firstValue} is ${values[firstValue]}, ggml gives ${decoded[firstValue]}`,
    );
  }
});
