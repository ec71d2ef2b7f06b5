import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tensor } from "../../src/tensor/creation.js";
import { Tensor } from "../../src/tensor/tensor.js";
import {
  type CheckpointContents,
  findCheckpoint,
  readCheckpoint,
  readCheckpointConfig,
  writeCheckpoint,
} from "../../src/train/checkpoint.js";
import { packTensorTree, unpackTensorTree } from "../../src/train/tensor-tree.js";
import { temporaryDirectory } from "./fixtures.js";

function contents(iter: number): CheckpointContents {
  return {
    config: {
      format: "infiniset-checkpoint",
      version: 1,
      model: { type: "gpt", config: { nLayer: 1 } },
      tokenizer: { type: "char", vocab: ["a", "b"] },
      training: { seed: 1 },
    },
    weights: new Map([["w", tensor([0.1, -2.5e-8, 3], [3])]]),
    optimizer: { kind: "Adam", iteration: iter, tensors: { "0.expAvg": tensor([1, 2], [2]) } },
    state: {
      iter,
      elapsedMs: 12.5,
      rng: { batches: { algorithm: "xoshiro128**", words: [1, 2, 3, 4] } },
      callbacks: {},
    },
  };
}

test("a checkpoint round-trips; latest.json names the newest; older ones are removed", () => {
  const dir = temporaryDirectory();
  writeCheckpoint(dir, contents(3));
  const path = writeCheckpoint(dir, contents(6));
  assert.deepEqual(readdirSync(dir).sort(), ["latest.json", "step-000006"]);
  assert.equal(findCheckpoint(dir), path);
  const loaded = readCheckpoint(dir);
  assert.equal(loaded.state.iter, 6);
  assert.deepEqual(loaded.config, contents(6).config);
  assert.deepEqual([...loaded.weights.get("w")!.dataSync()], [...Float32Array.of(0.1, -2.5e-8, 3)]);
  const optimizer = loaded.optimizer as { tensors: Record<string, Tensor>; iteration: number };
  assert.equal(optimizer.iteration, 6);
  assert.deepEqual([...optimizer.tensors["0.expAvg"]!.dataSync()], [1, 2]);
  // The checkpoint folder itself can be given, too.
  assert.equal(readCheckpoint(path).state.iter, 6);
  // keep = 2 keeps the previous one.
  writeCheckpoint(dir, contents(9), 2);
  assert.deepEqual(readdirSync(dir).sort(), ["latest.json", "step-000006", "step-000009"]);
});

test("a save killed half way leaves latest.json naming the previous complete checkpoint", () => {
  const dir = temporaryDirectory();
  writeCheckpoint(dir, contents(3));
  // What a run killed while writing step 6 leaves: a folder with some of the files.
  mkdirSync(join(dir, "step-000006"));
  writeFileSync(join(dir, "step-000006", "model.safetensors"), "torn");
  assert.equal(readCheckpoint(dir).state.iter, 3);
  // Saving step 6 again replaces the torn folder.
  writeCheckpoint(dir, contents(6));
  assert.equal(readCheckpoint(dir).state.iter, 6);
});

test("missing, foreign and corrupt checkpoints are clear errors", () => {
  const dir = temporaryDirectory();
  assert.throws(() => readCheckpoint(join(dir, "nope")), /^Error: Checkpoint not found: .*nope$/);
  assert.throws(
    () => readCheckpoint(dir),
    /^Error: No checkpoint in .* \(it has neither config.json nor latest.json\)$/,
  );
  writeFileSync(join(dir, "file"), "x");
  assert.throws(() => readCheckpoint(join(dir, "file")), /A checkpoint is a directory, but .*file is a file/);

  const path = writeCheckpoint(dir, contents(3));
  writeFileSync(
    join(path, "model.safetensors"),
    readFileSync(join(path, "model.safetensors")).subarray(0, 20),
  );
  assert.throws(() => readCheckpoint(dir), /model\.safetensors: safetensors: header length \d+ exceeds/);

  writeFileSync(join(path, "state.json"), "{ not json");
  assert.throws(() => readCheckpoint(dir), /state\.json is not valid JSON \(the checkpoint is corrupt\)/);

  writeFileSync(join(path, "config.json"), JSON.stringify({ format: "something-else" }));
  assert.throws(() => readCheckpointConfig(dir), /config\.json is not an infiniset checkpoint config/);

  writeFileSync(join(dir, "latest.json"), JSON.stringify({ checkpoint: "../../etc" }));
  assert.throws(() => readCheckpoint(dir), /latest\.json does not name a checkpoint folder/);
});

test("tensor trees: tensors go to safetensors, everything else to JSON, and come back the same", () => {
  const tree = {
    kind: "AdamW",
    nested: [{ m: tensor([1.5, -0], [2]) }, null, true],
    map: new Map([["a", 1]]),
    odd: [Number.NaN, Number.POSITIVE_INFINITY, undefined],
    ids: tensor([1, 2, 3], { dtype: "int32" }),
  };
  const packed = packTensorTree(tree);
  assert.deepEqual([...packed.tensors.keys()], ["nested.0.m", "ids"]);
  const json = JSON.parse(JSON.stringify(packed.json));
  const back = unpackTensorTree(json, packed.tensors) as typeof tree;
  assert.equal(back.kind, "AdamW");
  assert.ok(back.nested[0] && (back.nested[0] as { m: Tensor }).m instanceof Tensor);
  assert.deepEqual([...(back.nested[0] as { m: Tensor }).m.dataSync()], [1.5, -0]);
  assert.equal(back.ids.dtype, "int32");
  assert.deepEqual(back.map, new Map([["a", 1]]));
  assert.deepEqual(back.odd, [Number.NaN, Number.POSITIVE_INFINITY, undefined]);
  assert.throws(() => packTensorTree({ f: () => 1 }), /state at f is a function/);
  assert.throws(
    () => unpackTensorTree({ $tensor: "gone" }, new Map()),
    /refers to tensor "gone", which is missing/,
  );
});
