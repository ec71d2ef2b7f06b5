import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * The public API as a user gets it: the package's subpath exports (each with types), the
 * root without the engine's internals, PyTorch's names with the old ones as deprecated
 * aliases.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, { types: string; default: string }>;
};

test("every subpath export loads as a user imports it, with its types", async () => {
  const subpaths = Object.keys(pkg.exports);
  for (const area of ["models", "text", "train", "data", "formats", "nn", "optim"])
    assert.ok(subpaths.includes(`./${area}`), `infiniset/${area} is exported`);
  for (const [subpath, { types, default: js }] of Object.entries(pkg.exports)) {
    assert.ok(existsSync(join(root, types)), `${subpath}: ${types} exists`);
    assert.ok(existsSync(join(root, js)), `${subpath}: ${js} exists`);
    const specifier = subpath === "." ? "infiniset" : `infiniset/${subpath.slice(2)}`;
    const module = (await import(specifier)) as Record<string, unknown>;
    assert.ok(Object.keys(module).length > 0, `${specifier} exports something`);
  }
  const models = (await import("infiniset/models")) as Record<string, unknown>;
  for (const name of ["Gpt", "RnnLm", "LlamaModel", "KneserNeyModel", "fitHmm"])
    assert.ok(name in models, name);
  const train = (await import("infiniset/train")) as Record<string, unknown>;
  for (const name of ["fit", "trainGpt", "trainRnnLm", "trainLanguageModel", "loadLanguageModelCheckpoint"])
    assert.ok(name in train, name);
});

test("the root leaves the engine's internals out", async () => {
  const api = (await import("infiniset")) as Record<string, unknown> & { isa: Record<string, unknown> };
  for (const name of ["realize", "applyInstruction", "broadcastTo", "unbroadcast", "Node"])
    assert.ok(!(name in api), `${name} is not exported at the root`);
  for (const name of ["applyInstruction", "broadcastTo", "unbroadcast"])
    assert.ok(!(name in api.isa), `isa.${name}`);
  const tensorTypes = readFileSync(join(root, "dist/src/tensor/tensor.d.ts"), "utf8");
  assert.doesNotMatch(tensorTypes, /get node\(\)/, "Tensor.node is not in the published types");
});

test("PyTorch's names, and the old ones as deprecated aliases of the same classes", async () => {
  const { nn, optim } = (await import("infiniset")) as unknown as {
    nn: Record<string, unknown>;
    optim: Record<string, unknown>;
  };
  for (const [name, old] of [
    ["LSTM", "Lstm"],
    ["GRU", "Gru"],
    ["RNN", "Rnn"],
    ["MLP", "Mlp"],
  ] as const) {
    assert.equal(typeof nn[name], "function", `nn.${name}`);
    assert.equal(nn[old], nn[name], `nn.${old} is nn.${name}`);
  }
  assert.equal(typeof optim.SGD, "function");
  const types = readFileSync(join(root, "dist/src/nn/index.d.ts"), "utf8");
  assert.match(types, /@deprecated Use `LSTM`/);
});
