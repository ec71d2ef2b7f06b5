import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { GgufFile } from "../../../src/formats/gguf/gguf-file.js";
import { LlamaModel } from "../../../src/models/llama/llama.js";
import { setCompileEnabled } from "../../../src/tensor/compile.js";
import { tensor } from "../../../src/tensor/creation.js";
import { noGrad } from "../../../src/tensor/functional.js";
import { TEST_MODELS, testModelPath } from "../../fixtures/test-models.js";
import { referenceLogits } from "./reference-forward.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "llama-test-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const IDS = [1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975, 278, 17366, 11203];

function logitsOf(model: LlamaModel, ids: number[]): Float32Array {
  return noGrad(() => {
    const cache = model.createCache(ids.length);
    const out = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), cache, {
      allPositions: true,
    });
    return out.dataSync() as Float32Array;
  });
}

function maxRelativeError(actual: Float32Array, expected: Float64Array[]): number {
  const vocab = expected[0]!.length;
  let worst = 0;
  expected.forEach((row, t) => {
    const scale = Math.max(...row.map(Math.abs));
    row.forEach((e, i) => {
      worst = Math.max(worst, Math.abs(actual[t * vocab + i]! - e) / scale);
    });
  });
  return worst;
}

for (const architecture of ["llama", "qwen2"] as const) {
  test(`${architecture} (GQA, ${architecture === "llama" ? "separate output, adjacent RoPE pairs" : "q/k/v biases, tied output, RoPE halves"}): logits match a float64 reference`, () => {
    const spec = {
      ...TEST_MODELS.tiny,
      name: `tiny-${architecture}`,
      architecture,
      separateOutput: architecture === "llama",
    };
    const file = GgufFile.open(testModelPath(spec, "F32", dir));
    try {
      const model = new LlamaModel(file);
      assert.equal(model.config.nHeadKv, 2);
      const error = maxRelativeError(logitsOf(model, IDS), referenceLogits(file, IDS));
      assert.ok(error < 1e-4, `max error ${error} relative to the largest logit`);
    } finally {
      file.close();
    }
  });
}

test("a prompt in one pass, a chunk after it, then tokens one at a time give the logits of one full pass", () => {
  const file = GgufFile.open(testModelPath("tiny", "F32", dir));
  const model = new LlamaModel(file);
  file.close();
  const full = logitsOf(model, IDS);
  const vocab = model.config.vocabSize;
  noGrad(() => {
    const cache = model.createCache(IDS.length);
    const prompt = 5;
    const run = (ids: number[]) => {
      const logits = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), cache);
      cache.commit();
      return logits;
    };
    const first = run(IDS.slice(0, prompt));
    const check = (values: Float32Array, t: number) => {
      const expected = full.subarray(t * vocab, (t + 1) * vocab);
      const worst = values.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
      assert.ok(worst < 1e-3, `position ${t}: max difference ${worst}`);
    };
    check(first.dataSync() as Float32Array, prompt - 1);
    // A chunk of several tokens attends to the cache and to itself.
    const chunk = prompt + 3;
    check(run(IDS.slice(prompt, chunk)).dataSync() as Float32Array, chunk - 1);
    for (let t = chunk; t < IDS.length; t++) {
      const step = run([IDS[t]!]);
      check(step.dataSync() as Float32Array, t);
    }
    assert.equal(cache.length, IDS.length);
    assert.throws(() => run([1]), /exceed the capacity 12/);
  });
});

for (const type of ["F32", "Q8_0"] as const) {
  test(`${type}: compiled steps (prompt, then tokens one at a time) give the uncompiled logits bit for bit`, () => {
    const file = GgufFile.open(testModelPath("tiny", type, dir));
    const model = new LlamaModel(file);
    file.close();
    const steps = (compiled: boolean) => {
      setCompileEnabled(compiled);
      try {
        return noGrad(() => {
          const cache = model.createCache(IDS.length);
          const run = (ids: number[]) => {
            const logits = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), cache);
            cache.commit();
            return [...logits.dataSync()];
          };
          return [run(IDS.slice(0, 4)), ...IDS.slice(4).map((id) => run([id]))];
        });
      } finally {
        setCompileEnabled(true);
      }
    };
    assert.deepEqual(steps(true), steps(false));
  });
}

test("an F16 file gives nearly the logits of the F32 file", () => {
  const f32 = GgufFile.open(testModelPath("tiny", "F32", dir));
  const f16 = GgufFile.open(testModelPath("tiny", "F16", dir));
  const a = logitsOf(new LlamaModel(f32), IDS);
  const b = logitsOf(new LlamaModel(f16), IDS);
  f32.close();
  f16.close();
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  assert.ok(worst / scale < 0.02, `F16 vs F32: ${worst} of ${scale}`);
});

for (const type of ["Q8_0", "Q4_1"] as const) {
  test(`${type} weights stay packed and, with exact activations, give the logits of their decoded values`, () => {
    const file = GgufFile.open(testModelPath("tiny", type, dir));
    try {
      const model = new LlamaModel(file, { roundActivations: false });
      const error = maxRelativeError(logitsOf(model, IDS), referenceLogits(file, IDS));
      assert.ok(error < 1e-4, `max error ${error} relative to the largest logit`);
    } finally {
      file.close();
    }
  });
}
