import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GgufFile } from "../../../src/formats/gguf/gguf-file.js";
import { writeGguf } from "../../../src/formats/gguf/write-gguf.js";
import { gptGgufContents } from "../../../src/models/gpt/export-gguf.js";
import { Gpt } from "../../../src/models/gpt/gpt.js";
import { loadGgufModel } from "../../../src/models/llama/load.js";
import { tensor } from "../../../src/tensor/creation.js";
import { noGrad } from "../../../src/tensor/functional.js";
import { trainBpe } from "../../../src/text/bpe-tokenizer.js";
import { CharTokenizer } from "../../../src/text/char-tokenizer.js";
import { GgufTokenizer } from "../../../src/text/gguf/tokenizer.js";

const TEXT = "Call me Ishmael. Some years ago—never mind how long precisely—naïve café, 42 ships!\n";

function logitsOf(run: (ids: number[]) => Float32Array, ids: number[]): Float32Array {
  return noGrad(() => run(ids));
}

for (const kind of ["char", "byte-level-bpe"] as const) {
  test(`a GPT with a ${kind} tokenizer exported as gpt2 GGUF: same tokens and nearly the same logits`, () => {
    const dir = mkdtempSync(join(tmpdir(), "gpt-export-"));
    try {
      const tokenizer =
        kind === "char" ? CharTokenizer.fromCorpus(TEXT) : trainBpe(TEXT.repeat(3), { vocabSize: 300 });
      const model = new Gpt(
        {
          vocabSize: tokenizer.vocabSize,
          blockSize: 32,
          nLayer: 2,
          nHead: 2,
          nEmbd: 32,
          dropout: 0,
          bias: kind === "char",
        },
        { seed: 3 },
      );
      model.eval();
      const path = join(dir, "gpt.gguf");
      writeGguf(path, gptGgufContents(model, tokenizer.toJSON() as never));
      const ggufTokenizer = GgufTokenizer.fromGguf(GgufFile.open(path));
      const ids = [...tokenizer.encode(TEXT)].slice(0, 32);
      assert.deepEqual(ggufTokenizer.encode(TEXT, { addSpecial: false }).slice(0, 32), ids);
      const ours = logitsOf(
        (x) => model.forward(tensor(x, [1, x.length], { dtype: "int32" })).dataSync() as Float32Array,
        ids,
      );
      const loaded = loadGgufModel(path);
      const theirs = logitsOf((x) => {
        const cache = loaded.model.createCache(x.length);
        return loaded.model
          .forward(tensor(x, [1, x.length], { dtype: "int32" }), cache, { allPositions: true })
          .dataSync() as Float32Array;
      }, ids);
      const worst = ours.reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i]!)), 0);
      // The GGUF graph uses GELU's tanh form (as ggml does), infiniset's GPT the exact one.
      assert.ok(worst < 2e-3, `max logit difference ${worst}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
