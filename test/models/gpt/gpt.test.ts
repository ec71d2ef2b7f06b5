import assert from "node:assert/strict";
import { test } from "node:test";
import { compileCount, gradients, noGrad, setCompileEnabled, Tensor, tensor } from "../../../src/index.js";
import { DecodingSession, Gpt, type GptConfig, gptParameterCount } from "../../../src/models/gpt/index.js";
import { SeededRng } from "../../../src/random/seeded-rng.js";

const tiny: GptConfig = {
  vocabSize: 11,
  blockSize: 8,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  dropout: 0,
  bias: true,
};

const ids = (rows: number[][]) => tensor(rows, { dtype: "int32" });

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

/** Logits after the last token, from a full forward pass over the last blockSize tokens. */
function fullPassLogits(model: Gpt, tokens: readonly number[]): Float32Array {
  const window = tokens.slice(-model.config.blockSize);
  const logits = noGrad(() => model.forward(ids([window])));
  const v = model.config.vocabSize;
  return logits.slice([0, window.length - 1, 0], [1, window.length, v]).dataSync() as Float32Array;
}

test("parameters: the closed-form count, GPT-2 names, and the tied embedding listed once", () => {
  const model = new Gpt(tiny);
  const { vocabSize: v, blockSize: t, nLayer: l, nEmbd: c } = tiny;
  // wte + wpe, per block: 2 LayerNorms, qkv, proj, fc, proj (weights and biases), final LayerNorm.
  const perBlock = 2 * 2 * c + (3 * c * c + 3 * c) + (c * c + c) + (4 * c * c + 4 * c) + (4 * c * c + c);
  const expected = v * c + t * c + l * perBlock + 2 * c;
  assert.equal(model.parameterCount(), expected);
  assert.equal(gptParameterCount(tiny), expected);
  assert.equal(
    gptParameterCount({ ...tiny, bias: false }),
    new Gpt({ ...tiny, bias: false }).parameterCount(),
  );
  const names = model.namedParameters().map(([n]) => n);
  assert.deepEqual(names.slice(0, 4), [
    "wte.weight",
    "wpe.weight",
    "blocks.0.ln1.weight",
    "blocks.0.ln1.bias",
  ]);
  assert.ok(names.includes("blocks.1.attn.qkv.weight"));
  assert.ok(names.includes("blocks.1.mlp.proj.bias"));
  assert.deepEqual(names.slice(-2), ["lnF.weight", "lnF.bias"]);
  assert.equal(names.filter((n) => n.startsWith("wte")).length, 1);
  assert.equal(new Set(names).size, names.length);
});

test("GPT-2 initialisation: N(0, 0.02), residual projections scaled by 1/√(2·nLayer), zero biases", () => {
  const model = new Gpt({ ...tiny, nEmbd: 32, nLayer: 2 }, { seed: 3 });
  const std = (t: Tensor) => {
    const v = Array.from(t.dataSync());
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    return Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  };
  const params = new Map(model.namedParameters());
  const near = (name: string, expected: number) => {
    const s = std(params.get(name)!);
    assert.ok(Math.abs(s / expected - 1) < 0.15, `${name}: std ${s}, expected ${expected}`);
  };
  near("wte.weight", 0.02);
  near("blocks.0.attn.qkv.weight", 0.02);
  near("blocks.1.mlp.fc.weight", 0.02);
  near("blocks.0.attn.proj.weight", 0.01);
  near("blocks.1.mlp.proj.weight", 0.01);
  assert.ok(
    params
      .get("blocks.0.attn.qkv.bias")!
      .dataSync()
      .every((x) => x === 0),
  );
  assert.ok(
    params
      .get("lnF.weight")!
      .dataSync()
      .every((x) => x === 1),
  );
  // The same seed gives the same model; another seed another one.
  const again = new Gpt({ ...tiny, nEmbd: 32, nLayer: 2 }, { seed: 3 });
  assert.deepEqual(again.wte.weight.dataSync(), model.wte.weight.dataSync());
  const other = new Gpt({ ...tiny, nEmbd: 32, nLayer: 2 }, { seed: 4 });
  assert.notDeepEqual(other.wte.weight.dataSync(), model.wte.weight.dataSync());
});

test("forward gives [B, T, vocab] logits and an initial loss near ln(vocab)", () => {
  const model = new Gpt(tiny, { seed: 1 });
  const x = ids([
    [1, 2, 3, 4, 5, 6, 7, 8],
    [0, 0, 1, 1, 2, 2, 3, 3],
  ]);
  assert.deepEqual(model.forward(x).shape, [2, 8, 11]);
  const loss = model
    .loss(
      x,
      ids([
        [2, 3, 4, 5, 6, 7, 8, 9],
        [0, 1, 1, 2, 2, 3, 3, 4],
      ]),
    )
    .item();
  // Small initial weights make the predictions nearly uniform.
  assert.ok(Math.abs(loss - Math.log(11)) < 0.1, `loss ${loss}`);
  assert.throws(() => model.forward(tensor([[1, 2]])), /ids must be int32 \[batch, time\], got float32/);
  assert.throws(
    () => model.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]])),
    /9 positions \(0 cached \+ 9 new\) exceed blockSize 8/,
  );
});

test("a later token does not change the logits at earlier positions", () => {
  const model = new Gpt(tiny, { seed: 2 });
  const a = model.forward(ids([[1, 2, 3, 4, 5]])).dataSync();
  const b = model.forward(ids([[1, 2, 3, 4, 9]])).dataSync();
  const v = tiny.vocabSize;
  assert.deepEqual(a.slice(0, 4 * v), b.slice(0, 4 * v));
  assert.notDeepEqual(a.slice(4 * v), b.slice(4 * v));
});

test("gradients reach every parameter, the tied embedding from both its uses", () => {
  const model = new Gpt(tiny, { seed: 5 });
  // Every position and every token id appears, so every row of both tables gets a gradient.
  const x = ids([
    [0, 1, 2, 3, 4, 5, 6, 7],
    [8, 9, 10, 0, 1, 2, 3, 4],
  ]);
  const y = ids([
    [1, 2, 3, 4, 5, 6, 7, 8],
    [9, 10, 0, 1, 2, 3, 4, 5],
  ]);
  const named = model.namedParameters();
  const grads = gradients(
    model.loss(x, y),
    named.map(([, p]) => p),
  );
  grads.forEach((g, i) => {
    assert.ok(
      g.dataSync().some((v) => v !== 0),
      `${named[i]![0]} got a zero gradient`,
    );
  });
});

test("state dict: a model with another seed loads it and gives identical outputs", () => {
  const a = new Gpt(tiny, { seed: 1 });
  const b = new Gpt(tiny, { seed: 2 });
  const x = ids([[3, 1, 4, 1, 5]]);
  assert.notDeepEqual(b.forward(x).dataSync(), a.forward(x).dataSync());
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.forward(x).dataSync(), a.forward(x).dataSync());
});

test("loading a state dict of another config fails, naming the key and both shapes", () => {
  const small = new Gpt(tiny);
  const wider = new Gpt({ ...tiny, nEmbd: 32 });
  assert.throws(
    () => small.loadStateDict(wider.stateDict()),
    /loadStateDict \(Gpt\): wte\.weight: the dict has shape \[11,32\], the model \[11,16\]/,
  );
  const deeper = new Gpt({ ...tiny, nLayer: 3 });
  assert.throws(() => small.loadStateDict(deeper.stateDict()), /unexpected keys: blocks\.2\.ln1\.weight, /);
  assert.throws(() => deeper.loadStateDict(small.stateDict()), /missing keys: blocks\.2\.ln1\.weight, /);
  const noBias = new Gpt({ ...tiny, bias: false });
  assert.throws(() => noBias.loadStateDict(small.stateDict()), /unexpected keys: blocks\.0\.ln1\.bias/);
});

test("dropout: random in training mode, reproducible from dropoutSeeds, off in eval mode", () => {
  const model = new Gpt({ ...tiny, dropout: 0.2 }, { seed: 6 });
  const x = ids([[1, 2, 3, 4]]);
  const y = ids([[2, 3, 4, 5]]);
  const saved = model.dropoutSeeds.state();
  const first = model.loss(x, y).item();
  const second = model.loss(x, y).item();
  assert.notEqual(first, second);
  model.dropoutSeeds.setState(saved);
  assert.equal(model.loss(x, y).item(), first);
  model.eval();
  assert.equal(model.loss(x, y).item(), model.loss(x, y).item());
});

test("decoding with the KV cache gives the logits of a full forward pass, also past blockSize", () => {
  const model = new Gpt(tiny, { seed: 7 });
  model.eval();
  const session = new DecodingSession(model, [4, 2]);
  const next = [7, 1, 0, 9, 3, 3, 10, 5, 2, 8, 6];
  for (const token of next) {
    const err = maxAbsDiff(session.logits, fullPassLogits(model, session.tokens));
    assert.ok(err < 1e-5, `after ${session.tokens.length} tokens: logits differ by ${err}`);
    session.append(token);
  }
  assert.equal(session.tokens.length, 13);
  assert.ok(maxAbsDiff(session.logits, fullPassLogits(model, session.tokens)) < 1e-5);
});

test("decoding steps share one compiled program", () => {
  const model = new Gpt(tiny, { seed: 7 });
  model.eval();
  const session = new DecodingSession(model, [4, 2]);
  session.append(1);
  const before = compileCount();
  for (const token of [5, 6, 7, 8]) session.append(token);
  assert.equal(compileCount(), before);
});

test("compiled decoding steps give the uncompiled logits bit for bit, and see parameters changed between steps", () => {
  const model = new Gpt(tiny, { seed: 7 });
  model.eval();
  const run = (compiled: boolean) => {
    setCompileEnabled(compiled);
    try {
      const session = new DecodingSession(model, [4, 2, 9]);
      const logits = [[...session.logits]];
      for (const token of [7, 1, 0, 9, 3, 3, 10, 5, 2, 8, 6]) {
        session.append(token);
        logits.push([...session.logits]);
      }
      return logits;
    } finally {
      setCompileEnabled(true);
    }
  };
  assert.deepEqual(run(true), run(false));
  const session = new DecodingSession(model, [4, 2]);
  session.append(3);
  const weight = model.lnF.weight;
  weight.assign(weight.mul(2));
  session.append(5);
  assert.ok(maxAbsDiff(session.logits, fullPassLogits(model, session.tokens)) < 1e-5);
});

test("greedy generation picks the argmax of a full forward pass at every step", () => {
  const model = new Gpt(tiny, { seed: 8 });
  const prompt = [1, 5, 9];
  const generated = model.generate(prompt, { maxTokens: 10, sampler: { temperature: 0 } });
  assert.equal(generated.length, 10);
  const tokens = [...prompt];
  for (const id of generated) {
    const logits = fullPassLogits(model, tokens);
    assert.equal(id, logits.indexOf(Math.max(...logits)));
    tokens.push(id);
  }
});

test("sampling is reproducible from its seed, streams tokens, stops on request, and restores the mode", () => {
  const model = new Gpt(tiny, { seed: 9 });
  const run = (seed: number) => model.generate([0], { maxTokens: 6, seed, sampler: { temperature: 1.5 } });
  assert.deepEqual(run(1), run(1));
  assert.notDeepEqual(run(1), run(2));
  // An rng the caller owns continues where it left off.
  const rng = new SeededRng(1);
  assert.deepEqual(model.generate([0], { maxTokens: 6, rng, sampler: { temperature: 1.5 } }), run(1));
  const streamed: number[] = [];
  const stopped = model.generate([0], {
    maxTokens: 6,
    seed: 1,
    sampler: { temperature: 1.5 },
    onToken: (id) => {
      streamed.push(id);
      return streamed.length < 3;
    },
  });
  assert.deepEqual(stopped, run(1).slice(0, 3));
  assert.deepEqual(streamed, stopped);
  assert.equal(model.training, true);
  assert.deepEqual(model.generate([0], { maxTokens: 0 }), []);
  assert.throws(() => model.generate([], { maxTokens: 1 }), /the prompt needs at least one token/);
  assert.throws(() => model.generate([11], { maxTokens: 1 }), /token 11 is outside the vocabulary \[0, 11\)/);
  assert.throws(() => model.generate([1], { maxTokens: -1 }), /maxTokens must be a non-negative integer/);
});

test("the config is checked field by field", () => {
  assert.throws(() => new Gpt({ ...tiny, nHead: 3 }), /nEmbd 16 is not divisible by nHead 3/);
  assert.throws(() => new Gpt({ ...tiny, nLayer: 0 }), /nLayer must be a positive integer, got 0/);
  assert.throws(() => new Gpt({ ...tiny, dropout: 1 }), /dropout must be a number in \[0, 1\), got 1/);
  assert.throws(() => new Gpt({ ...tiny, extra: 1 } as GptConfig), /unknown fields extra/);
  assert.deepEqual(new Gpt(tiny).config, JSON.parse(JSON.stringify(tiny)));
});

test("the summary lists every layer", () => {
  const text = new Gpt(tiny).summary();
  for (const name of [
    "wte",
    "wpe",
    "drop",
    "blocks",
    "blocks.0",
    "blocks.1.attn.qkv",
    "blocks.1.mlp.proj",
    "lnF",
  ]) {
    assert.match(text, new RegExp(`\\s${name.replaceAll(".", "\\.")}\\s`), name);
  }
  assert.match(text, /\(model\)\s+Gpt\s/);
  assert.match(text, /blocks\.0\s+TransformerBlock\s/);
  assert.match(text, new RegExp(`Total parameters: ${gptParameterCount(tiny).toLocaleString("en-US")} `));
});

test("a tiny GPT overfits a repeating sequence with plain gradient descent", () => {
  const model = new Gpt(tiny, { seed: 1 });
  const cycle = [3, 1, 4, 7, 5, 9, 2];
  const seq = Array.from({ length: 12 }, (_, i) => cycle[i % cycle.length]!);
  const x = ids([seq.slice(0, 8), seq.slice(3, 11)]);
  const y = ids([seq.slice(1, 9), seq.slice(4, 12)]);
  const params = model.parameters();
  const losses: number[] = [];
  for (let step = 0; step < 50; step++) {
    const loss = model.loss(x, y);
    const grads = gradients(loss, params);
    const updated = noGrad(() => params.map((p, i) => p.sub(grads[i]!.mul(0.5))));
    // The loss and all updates in one program, then every parameter takes its new value.
    Tensor.realize(loss, ...updated);
    params.forEach((p, i) => {
      p.assign(updated[i]!);
    });
    losses.push(loss.item());
  }
  assert.ok(losses[0]! > 2, `initial loss ${losses[0]}`);
  assert.ok(losses.at(-1)! < 0.3, `loss went from ${losses[0]} to ${losses.at(-1)}`);
});
