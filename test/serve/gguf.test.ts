// GGUF models served through the same engine: batched passes agree with the model's own
// single-sequence forward, and the API answers with the model's tokenizer and template.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { loadGgufModel } from "../../src/models/llama/load.js";
import { BatchEngine } from "../../src/serve/batch-engine.js";
import { servedGguf } from "../../src/serve/gguf-model.js";
import { loadServedModel } from "../../src/serve/load-model.js";
import { startServer } from "../../src/serve/server.js";
import { tensor } from "../../src/tensor/creation.js";
import { noGrad } from "../../src/tensor/functional.js";
import { TEST_MODELS, testModelPath } from "../fixtures/test-models.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "serve-gguf-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const architecture of ["llama", "qwen2"] as const) {
  test(`${architecture}: sequences decoded together match the model's own forward pass`, () => {
    const spec = {
      ...TEST_MODELS.tiny,
      name: `tiny-${architecture}`,
      architecture,
      separateOutput: architecture === "llama",
    };
    const loaded = loadGgufModel(testModelPath(spec, "F32", dir));
    const engine = new BatchEngine(servedGguf(loaded), { slots: 3, prefillChunk: 4 });
    const vocab = loaded.model.config.vocabSize;
    const reference = (ids: number[]) =>
      noGrad(() => {
        const cache = loaded.model.createCache(ids.length);
        const out = loaded.model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), cache);
        return out.dataSync() as Float32Array;
      });
    const prompts = [
      [1, 450, 4996, 17354, 1701, 29916, 432],
      [1, 17204],
      [1, 975, 278, 17366, 11203],
    ];
    const sequences = prompts.map(() => engine.open());
    const fed = prompts.map(() => 0);
    for (let step = 0; step < 8; step++) {
      const entries = prompts.map((ids, i) => ({
        sequence: sequences[i]!,
        tokens: fed[i]! < ids.length ? ids.slice(fed[i], fed[i]! + 4) : [ids.at(-1)!],
      }));
      const logits = engine.step(entries);
      prompts.forEach((ids, i) => {
        fed[i]! += entries[i]!.tokens.length === 1 && fed[i]! >= ids.length ? 1 : entries[i]!.tokens.length;
        if (fed[i]! < ids.length) return;
        const expected = reference(ids.slice(0, fed[i]));
        let worst = 0;
        for (let j = 0; j < vocab; j++) worst = Math.max(worst, Math.abs(logits[i]![j]! - expected[j]!));
        assert.ok(worst < 1e-3, `step ${step}, sequence ${i}: logits differ by ${worst}`);
        ids.push((step * 131 + i * 17) % vocab);
      });
    }
  });
}

test("a GGUF file is served: chat through its template, its tokenizer's text", async () => {
  const path = testModelPath("tiny", "F32", dir);
  const server = await startServer({ port: 0, load: () => loadServedModel(path), slots: 2 });
  try {
    await server.ready;
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const [model] = (await client.models.list()).data;
    assert.equal(model!.id, "tiny-f32");
    const reply = await client.chat.completions.create({
      model: model!.id,
      messages: [{ role: "user", content: "Once upon a time" }],
      max_tokens: 6,
      temperature: 0,
    });
    assert.equal(reply.usage!.completion_tokens, 6);
    const text = await client.completions.create({
      model: model!.id,
      prompt: "Once upon a time",
      max_tokens: 6,
      temperature: 0,
    });
    assert.equal(text.choices[0]!.text.length > 0, true);
    // BOS is added as llama-server does: 1 + the prompt's tokens.
    const tokens = (await (
      await fetch(`${server.url}/tokenize`, {
        method: "POST",
        body: JSON.stringify({ content: "Once upon a time" }),
      })
    ).json()) as { tokens: number[] };
    assert.equal(tokens.tokens[0], 1);
    assert.equal(text.usage!.prompt_tokens, tokens.tokens.length);
  } finally {
    await server.close();
  }
});
