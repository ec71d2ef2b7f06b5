import assert from "node:assert/strict";
import { test } from "node:test";
import { INT4_GRID, INT8_GRID } from "../../src/compress/integer-grids.js";
import { quantizeMatrix } from "../../src/compress/quantize-matrix.js";
import { dequantize, f16Value } from "../../src/quant/index.js";
import { SeededRng } from "../../src/random/seeded-rng.js";

function gaussian(n: number, rng: SeededRng): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const u = Math.max(rng.nextFloat(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  });
}

/** E[x xᵀ] of `samples` inputs of width n whose coordinates are strongly correlated and of unequal size. */
function correlatedMoment(n: number, samples: number, rng: SeededRng): Float64Array {
  const mix = gaussian(n * n, rng);
  const h = new Float64Array(n * n);
  for (let s = 0; s < samples; s++) {
    const z = gaussian(n, rng);
    const x = Float64Array.from({ length: n }, (_, i) => {
      let v = 0;
      for (let k = 0; k < n; k++) v += mix[i * n + k]! * z[k]! * (k < 4 ? 3 : 0.3);
      return v;
    });
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j]! += (x[i]! * x[j]!) / samples;
  }
  return h;
}

/** tr(ΔW H ΔWᵀ): the squared output error on inputs of second moment H. */
function outputError(w: Float32Array, q: Float32Array, rows: number, n: number, h: Float64Array): number {
  let e = 0;
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        e += (w[r * n + i]! - q[r * n + i]!) * h[i * n + j]! * (w[r * n + j]! - q[r * n + j]!);
  return e;
}

test("the blocks written are ggml's Q8_0 / Q4_0: the codec decodes them to the values returned", () => {
  const rng = new SeededRng(1);
  const w = gaussian(6 * 64, rng);
  for (const grid of [INT8_GRID, INT4_GRID]) {
    for (const granularity of ["block", "channel"] as const) {
      for (const method of ["minmax", "percentile", "mse"] as const) {
        const q = quantizeMatrix(w, 6, 64, { grid, granularity, scales: { method } });
        assert.equal(q.rowBytes, 2 * grid.blockBytes);
        assert.deepEqual(
          dequantize(grid.type, q.packed, 64),
          q.values,
          `${grid.type} ${granularity} ${method}`,
        );
      }
    }
  }
});

test("per channel, every block of a row carries the row's scale; minmax maps the row's extreme exactly", () => {
  const w = gaussian(4 * 96, new SeededRng(2));
  const q = quantizeMatrix(w, 4, 96, {
    grid: INT8_GRID,
    granularity: "channel",
    scales: { method: "minmax" },
  });
  for (let r = 0; r < 4; r++) {
    const scales = [0, 1, 2].map((b) => {
      const at = r * q.rowBytes + b * 34;
      return f16Value(q.packed[at]! | (q.packed[at + 1]! << 8));
    });
    assert.ok(
      scales.every((d) => d === scales[0]),
      `row ${r}: ${scales}`,
    );
    const row = w.subarray(r * 96, (r + 1) * 96);
    const extreme = row.reduce((a, v) => (Math.abs(v) > Math.abs(a) ? v : a), 0);
    const at = row.indexOf(extreme);
    assert.ok(Math.abs(q.values[r * 96 + at]! - extreme) < 1e-3 * Math.abs(extreme));
  }
});

test("percentile clips an outlier to buy resolution for the rest; mse never does worse than minmax", () => {
  const rng = new SeededRng(3);
  const w = gaussian(64, rng).map((v) => v * 0.1);
  w[5] = 4; // one outlier in the channel
  const minmax = quantizeMatrix(w, 1, 64, {
    grid: INT4_GRID,
    granularity: "channel",
    scales: { method: "minmax" },
  });
  const clipped = quantizeMatrix(w, 1, 64, {
    grid: INT4_GRID,
    granularity: "channel",
    scales: { method: "percentile", percentile: 0.98 },
  });
  const errorOthers = (q: Float32Array) => w.reduce((s, v, i) => (i === 5 ? s : s + (v - q[i]!) ** 2), 0);
  assert.ok(clipped.values[5]! < 1, "the outlier is clipped");
  assert.ok(errorOthers(clipped.values) < errorOthers(minmax.values) / 4);
  const w2 = gaussian(8 * 64, rng);
  const sq = (q: Float32Array) => w2.reduce((s, v, i) => s + (v - q[i]!) ** 2, 0);
  for (const grid of [INT8_GRID, INT4_GRID]) {
    const base = quantizeMatrix(w2, 8, 64, { grid, granularity: "block", scales: { method: "minmax" } });
    const mse = quantizeMatrix(w2, 8, 64, { grid, granularity: "block", scales: { method: "mse" } });
    assert.ok(sq(mse.values) <= sq(base.values), grid.type);
  }
});

test("GPTQ's error compensation cuts the output error on correlated inputs", () => {
  const rng = new SeededRng(4);
  const n = 64;
  const rows = 16;
  const h = correlatedMoment(n, 400, rng);
  const w = gaussian(rows * n, rng);
  for (const grid of [INT4_GRID, INT8_GRID]) {
    const options = {
      grid,
      granularity: "block" as const,
      scales: { method: "mse" as const },
      inputMoment: h,
    };
    const rounded = quantizeMatrix(w, rows, n, options);
    const compensated = quantizeMatrix(w, rows, n, { ...options, gptq: true });
    assert.deepEqual(dequantize(grid.type, compensated.packed, n), compensated.values);
    const before = outputError(w, rounded.values, rows, n, h);
    const after = outputError(w, compensated.values, rows, n, h);
    assert.ok(after < 0.7 * before, `${grid.type}: ${after} vs ${before}`);
  }
  assert.throws(
    () =>
      quantizeMatrix(w, rows, n, {
        grid: INT4_GRID,
        granularity: "block",
        scales: { method: "minmax" },
        gptq: true,
      }),
    /GPTQ needs the inputs' second moment/,
  );
  assert.throws(
    () => quantizeMatrix(w, 1, 48, { grid: INT4_GRID, granularity: "block", scales: { method: "minmax" } }),
    /not whole blocks of 32/,
  );
});
