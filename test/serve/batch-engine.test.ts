import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchEngine } from "../../src/serve/batch-engine.js";
import { servedGpt } from "../../src/serve/checkpoint-model.js";
import { setCompileEnabled } from "../../src/tensor/compile.js";
import { tensor } from "../../src/tensor/creation.js";
import { noGrad } from "../../src/tensor/functional.js";
import { tinyGpt, tinyTokenizer } from "./tiny-model.js";

const model = tinyGpt(64, 3);
const served = servedGpt(model, tinyTokenizer(), "tiny");
const vocab = model.config.vocabSize;

/** Logits after `ids` from a plain forward pass over the whole sequence. */
function reference(ids: readonly number[]): Float32Array {
  return noGrad(() => {
    const logits = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" })).dataSync() as Float32Array;
    return logits.slice((ids.length - 1) * vocab);
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst < 1e-4, `${what}: logits differ by ${worst}`);
}

test("sequences decoded together, joining and leaving between steps, match a plain forward pass", () => {
  const engine = new BatchEngine(served, { slots: 3, prefillChunk: 5 });
  const prompts = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [20, 21], [5], [30, 31, 32, 33, 34, 35, 36]];
  type Live = { sequence: number; ids: number[]; fed: number };
  const live: Live[] = [];
  const open = (p: number[]) => live.push({ sequence: engine.open(), ids: [...p], fed: 0 });
  open(prompts[0]!);
  open(prompts[1]!);
  for (let step = 0; step < 14; step++) {
    // A sequence leaves mid-way and others join, so rows are reused and swapped.
    if (step === 3) open(prompts[2]!);
    if (step === 6) {
      engine.close(live[1]!.sequence);
      live.splice(1, 1);
      open(prompts[3]!);
    }
    const entries = live.map((s) => {
      const tokens = s.fed < s.ids.length ? s.ids.slice(s.fed, s.fed + engine.prefillChunk) : [s.ids.at(-1)!];
      return { sequence: s.sequence, tokens };
    });
    const logits = engine.step(entries);
    live.forEach((s, i) => {
      const fedNow = entries[i]!.tokens.length;
      if (s.fed < s.ids.length) s.fed += fedNow;
      else s.fed += 1;
      if (s.fed < s.ids.length) return;
      const context = s.ids.slice(0, s.fed);
      assertClose(logits[i]!, reference(context), `step ${step}, sequence ${s.sequence} at ${s.fed}`);
      assert.equal(engine.length(s.sequence), s.fed);
      s.ids.push((step * 7 + i * 3) % vocab);
    });
  }
  assert.equal(engine.openSequences, 3);
  assert.throws(() => engine.open(), /all 3 slots are busy/);
});

test("compiled layers give the logits of the uncompiled passes, bit for bit", () => {
  const run = (compiled: boolean) => {
    setCompileEnabled(compiled);
    try {
      const engine = new BatchEngine(servedGpt(model, tinyTokenizer(), "tiny"), {
        slots: 2,
        prefillChunk: 4,
      });
      const [a, b] = [engine.open(), engine.open()];
      const out = [engine.step([{ sequence: a, tokens: [1, 2, 3] }])];
      for (let i = 0; i < 4; i++) {
        out.push(
          engine.step([
            { sequence: a, tokens: [5 + i] },
            { sequence: b, tokens: i === 0 ? [7, 8] : [9 + i] },
          ]),
        );
      }
      return out.flat().map((logits) => [...logits]);
    } finally {
      setCompileEnabled(true);
    }
  };
  assert.deepEqual(run(true), run(false));
});

test("a step past the context is refused; a closed sequence's slot is reused", () => {
  const engine = new BatchEngine(served, { slots: 1, contextLength: 8, prefillChunk: 8 });
  const s = engine.open();
  engine.step([{ sequence: s, tokens: [1, 2, 3, 4, 5, 6, 7] }]);
  assert.throws(() => engine.step([{ sequence: s, tokens: [1, 2] }]), /exceed the context \(8\)/);
  engine.close(s);
  const t = engine.open();
  assert.equal(engine.length(t), 0);
  assertClose(engine.step([{ sequence: t, tokens: [9, 8] }])[0]!, reference([9, 8]), "reused slot");
});

test("an embedding is the normalised mean of the final hidden states", () => {
  const engine = new BatchEngine(served, { slots: 1, prefillChunk: 4 });
  const a = engine.embed([1, 2, 3]);
  assert.equal(a.length, model.config.nEmbd);
  const norm = Math.hypot(...a);
  assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
  // Padding does not change it: 3 tokens run padded to 4, 4 tokens unpadded.
  assert.deepEqual(engine.embed([1, 2, 3]), a);
  assert.throws(() => engine.embed([]), /no tokens/);
});
