// train-gpt: milliseconds per training step of the `baby` GPT preset (issue 5) — 4 layers,
// 4 heads, embedding 128, block 64, batch 12, character vocabulary of Moby Dick, AdamW with
// gradient clipping — on infiniset's targets, on TensorFlow.js (wasm backend, the same model
// written with tfjs ops) and on PyTorch (bench/pytorch/time_gpt_baby.py).
//
//   npm run bench -- train-gpt [--preset baby|small] [--iters 20] [--warmup 3]
//                              [--impls infiniset,tfjs,pytorch] [--targets native,wasm]
//                              [--check [--check-steps 5]] [--threads N [--only-threads]] [--json]
//
// --preset small: 6 layers, 6 heads, embedding 384, block 256, batch 12, dropout 0.2 (5
// timed steps after 1 by default; TF.js is skipped: its model has no dropout).
//
// Every implementation runs --warmup untimed steps, then --iters timed steps one by one; the
// figure is the median step. A step is what a training loop does per iteration: draw a batch,
// forward, backward, clip, update, read the loss back as a number. infiniset's targets run at
// 1 and N threads, each in a child process of its own (`--child target:threads`, internal);
// TF.js-wasm runs on one thread (all it has in Node); PyTorch at 1 and N threads. --check
// first trains the tfjs model from infiniset's initial weights on the same batches and
// reports the largest difference between the two runs' losses.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type BlockBatch, sampleBlockBatch } from "../../dist/src/data/block-batches.js";
import { loadCorpus } from "../../dist/src/data/corpus.js";
import { availableTargets, manualSeed, type Target, withTarget } from "../../dist/src/index.js";
import { warmupCosine } from "../../dist/src/optim/schedules/warmup-cosine.js";
import { SeededRng } from "../../dist/src/random/seeded-rng.js";
import { createNativeTarget, createWasmTarget } from "../../dist/src/targets/index.js";
import { CharTokenizer } from "../../dist/src/text/char-tokenizer.js";
import {
  GPT_FAMILY,
  GPT_PRESETS,
  type GptTrainingSettings,
  gptConfigFor,
  presetSettings,
} from "../../dist/src/train/gpt-settings.js";
import { createLanguageModelOptimizer } from "../../dist/src/train/language-model-settings.js";
import {
  prepareTextDataset,
  sampleBatchTensors,
  type TextDataset,
} from "../../dist/src/train/text-dataset.js";
import { loadTfjs, probeTorch } from "./peers.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

const DEFAULT_ITERS = 20;
const DEFAULT_WARMUP = 3;
const IMPLS = ["infiniset", "tfjs", "pytorch"] as const;
type ImplName = (typeof IMPLS)[number];

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`train-gpt: ${name} needs a value`);
  return value;
}

function count(args: string[], name: string, fallback: number, least: number): number {
  const text = option(args, name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < least)
    throw new Error(`train-gpt: ${name} needs a whole number >= ${least}`);
  return value;
}

export interface StepTimes {
  msPerIter: number;
  /** Median CPU time of the process per step (all its threads): robust to time slicing on a shared machine. */
  cpuMsPerIter: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  firstLoss: number;
  lastLoss: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `warmup` untimed steps, then `iters` timed ones; `step(i)` returns the loss of step i. */
function timeSteps(warmup: number, iters: number, step: (iteration: number) => number): StepTimes {
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push(step(i));
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = warmup; i < warmup + iters; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    losses.push(step(i));
    times.push(performance.now() - t0);
    const used = process.cpuUsage(c0);
    cpu.push((used.user + used.system) / 1000);
  }
  for (const [i, loss] of losses.entries()) {
    if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} at step ${i}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    msPerIter: median(times),
    cpuMsPerIter: median(cpu),
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    firstLoss: losses[0]!,
    lastLoss: losses[losses.length - 1]!,
  };
}

/**
 * The generators `fit` derives from its seed: batches, evaluation batches (unused here), and
 * the seed for unseeded random instructions before each step (nothing draws on it: dropout 0).
 */
function fitRngs(seed: number): { batches: SeededRng; unseeded: SeededRng } {
  const root = new SeededRng(seed);
  const batches = new SeededRng(root.nextUint32());
  root.nextUint32();
  return { batches, unseeded: new SeededRng(root.nextUint32()) };
}

// ---------------------------------------------------------------------------------------
// infiniset: exactly what `fit` does per iteration (src/train/fit.ts).

/** A target like `target` on `threads` threads, for the targets that take a thread count. */
function withThreads(target: Target, threads: number): Target | undefined {
  if (target.name === "wasm") return createWasmTarget({ threads });
  if (target.name === "native") return createNativeTarget({ threads });
  return undefined;
}

/** A training step as `fit` takes it: the loss of the step, read back as a number. */
type Step = (iteration: number) => number;

/** The model and optimizer a `baby` run starts with, on `target`, and its training step. */
function infinisetTrainer(
  target: Target,
  settings: GptTrainingSettings,
  dataset: TextDataset,
): { step: Step; initial: () => Map<string, { data: Float32Array; shape: number[] }> } {
  return withTarget(target, () => {
    const model = GPT_FAMILY.create(
      gptConfigFor(settings, dataset.tokenizer.vocabSize),
      "gpt",
      settings.seed,
    );
    const optimizer = createLanguageModelOptimizer(model.parameters(), GPT_FAMILY.decays(model), settings);
    const { batches, unseeded } = fitRngs(settings.seed);
    const clip = settings.clipNorm > 0 ? { clipNorm: settings.clipNorm } : {};
    model.train(true);
    return {
      initial: () =>
        new Map(
          [...model.namedParameters()].map(([name, p]) => [
            name,
            { data: Float32Array.from(p.dataSync() as Float32Array), shape: [...p.shape] },
          ]),
        ),
      step: () =>
        withTarget(target, () => {
          manualSeed(unseeded.nextUint32());
          const { ids, targets } = sampleBatchTensors(
            dataset.train,
            settings.batchSize,
            settings.blockSize,
            batches,
          );
          return optimizer.stepOn(model.loss(ids, targets), clip).loss;
        }),
    };
  });
}

/**
 * Times one infiniset target in a child process (this bench with `--child target:threads`),
 * so that a target that takes the process down (the native target calls compiled C through
 * an FFI) becomes a note instead of the end of the run, and each target starts from a fresh
 * process: no thread pools or caches left by the one before.
 */
export function timeInfinisetInChild(
  target: string,
  threads: number | null,
  preset: string,
  warmup: number,
  iters: number,
): StepTimes {
  const runJs = fileURLToPath(new URL("./run.js", import.meta.url));
  const spec = `${target}:${threads ?? ""}`;
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      runJs,
      "train-gpt",
      "--json",
      "--child",
      spec,
      "--preset",
      preset,
      "--warmup",
      String(warmup),
      "--iters",
      String(iters),
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_800_000 },
  );
  if (child.status !== 0) {
    const how = child.signal ? `was killed by ${child.signal}` : `exited with status ${child.status}`;
    throw new Error(
      `the child process timing ${spec} ${how}${child.error ? ` (${child.error.message})` : ""}`,
    );
  }
  const lines = child.stdout.trim().split("\n");
  const record = JSON.parse(lines[lines.length - 1]!) as BenchRecord & Partial<StepTimes>;
  if (record.skipped !== undefined) throw new Error(String(record.skipped));
  return record as unknown as StepTimes;
}

/** The child's side of `timeInfinisetInChild`: one target, one JSON record with its step times. */
function runChild(context: BenchContext, spec: string, preset: string, warmup: number, iters: number): void {
  const [name, threadText] = spec.split(":");
  const registered = availableTargets().find((t) => t.name === name);
  if (!registered) throw new Error(`train-gpt: no target named "${name}"`);
  const target = threadText ? withThreads(registered, Number(threadText)) : registered;
  if (!target) throw new Error(`train-gpt: the ${name} target takes no thread count`);
  const settings = presetSettings(preset);
  const corpus = loadCorpus(settings.data);
  const dataset = prepareTextDataset(corpus, CharTokenizer.fromCorpus(corpus.text), {
    blockSize: settings.blockSize,
  });
  const { step } = infinisetTrainer(target, settings, dataset);
  context.emit({ bench: "train-gpt", impl: "infiniset", target: name!, ...timeSteps(warmup, iters, step) });
}

// ---------------------------------------------------------------------------------------
// TensorFlow.js: the same model written with tfjs ops. The interfaces below are the calls
// used here (the peer is imported by a computed name, so its types are not available).

interface TfT {
  readonly shape: number[];
  dataSync(): Float32Array;
  dispose(): void;
}
interface TfVariable extends TfT {
  readonly name: string;
  assign(value: TfT): void;
}
interface TfAdam {
  /** A plain property in tfjs-core; applyGradients reads it at every step. */
  learningRate: number;
  applyGradients(grads: Record<string, TfT>): void;
  dispose(): void;
}
type TfIn = TfT | number;
interface TfOps {
  version: Record<string, string>;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  memory(): { numTensors: number };
  tidy<R>(fn: () => R): R;
  variable(initial: TfT, trainable: boolean, name: string): TfVariable;
  randomNormal(shape: number[], mean: number, stdDev: number, dtype: "float32", seed: number): TfT;
  zeros(shape: number[]): TfT;
  ones(shape: number[]): TfT;
  tensor(values: Float32Array | Int32Array, shape: number[], dtype: "float32" | "int32"): TfT;
  add(a: TfIn, b: TfIn): TfT;
  sub(a: TfIn, b: TfIn): TfT;
  mul(a: TfIn, b: TfIn): TfT;
  div(a: TfIn, b: TfIn): TfT;
  minimum(a: TfIn, b: TfIn): TfT;
  matMul(a: TfT, b: TfT, transposeA?: boolean, transposeB?: boolean): TfT;
  fused: { matMul(args: { a: TfT; b: TfT; bias?: TfT }): TfT };
  reshape(x: TfT, shape: number[]): TfT;
  transpose(x: TfT, perm: number[]): TfT;
  split(x: TfT, parts: number, axis: number): TfT[];
  softmax(x: TfT): TfT;
  logSoftmax(x: TfT): TfT;
  moments(x: TfT, axis: number, keepDims: boolean): { mean: TfT; variance: TfT };
  rsqrt(x: TfT): TfT;
  sqrt(x: TfT): TfT;
  square(x: TfT): TfT;
  erf(x: TfT): TfT;
  sum(x: TfT, axis?: number): TfT;
  mean(x: TfT): TfT;
  addN(xs: TfT[]): TfT;
  neg(x: TfT): TfT;
  oneHot(indices: TfT, depth: number): TfT;
  gather(x: TfT, indices: TfT): TfT;
  customGrad(
    f: (...inputs: TfT[]) => { value: TfT; gradFunc: (dy: TfT) => TfT[] },
  ): (...inputs: TfT[]) => TfT;
  variableGrads(f: () => TfT, varList?: TfVariable[]): { value: TfT; grads: Record<string, TfT> };
  train: { adam(learningRate: number, beta1: number, beta2: number, epsilon: number): TfAdam };
}

interface TfLinear {
  w: TfVariable;
  b: TfVariable;
}
interface TfNorm {
  g: TfVariable;
  b: TfVariable;
}
interface TfBlock {
  ln1: TfNorm;
  attn: TfLinear;
  proj: TfLinear;
  ln2: TfNorm;
  fc: TfLinear;
  mlpProj: TfLinear;
}

let tfModels = 0;

/**
 * The `baby` GPT in tfjs, laid out as bench/pytorch/train_gpt_baby.py lays it out: learned
 * positions, pre-LayerNorm blocks (eps 1e-5), causal attention, exact (erf) GELU MLP 4×, final
 * LayerNorm, LM head tied to the token embedding; N(0, 0.02) weights, N(0, 0.02/√(2·nLayer))
 * for the two residual projections, zero biases. Linear weights are [in, out].
 */
class TfGpt {
  readonly vars: TfVariable[] = [];
  /** Each variable's infiniset parameter name, and whether it holds that parameter transposed. */
  readonly #sources = new Map<TfVariable, { name: string; transposed: boolean }>();
  /** The Linear weight matrices: the only decayed parameters, as in infiniset and PyTorch. */
  readonly decayed: TfVariable[] = [];
  readonly wte: TfVariable;
  readonly wpe: TfVariable;
  readonly blocks: TfBlock[];
  readonly lnF: TfNorm;
  /** [1, T, T]: 0 on and below the diagonal, -1e9 above (exp of it is exactly 0 in float32). */
  readonly mask: TfT;
  /** tfjs names variables globally: a prefix of its own lets several models coexist. */
  readonly #prefix: string;
  #seed: number;

  constructor(
    readonly tf: TfOps,
    readonly s: GptTrainingSettings,
    readonly vocab: number,
    seed: number,
  ) {
    this.#seed = seed;
    this.#prefix = `trainGptBench${++tfModels}`;
    const { nEmbd: c, nLayer, blockSize: t } = s;
    const residualStd = 0.02 / Math.sqrt(2 * nLayer);
    this.wte = this.#param("wte.weight", tf.randomNormal([vocab, c], 0, 0.02, "float32", this.#nextSeed()));
    this.wpe = this.#param("wpe.weight", tf.randomNormal([t, c], 0, 0.02, "float32", this.#nextSeed()));
    this.blocks = Array.from({ length: nLayer }, (_, i) => ({
      ln1: this.#norm(`blocks.${i}.ln1`),
      attn: this.#linear(`blocks.${i}.attn.qkv`, c, 3 * c, 0.02),
      proj: this.#linear(`blocks.${i}.attn.proj`, c, c, residualStd),
      ln2: this.#norm(`blocks.${i}.ln2`),
      fc: this.#linear(`blocks.${i}.mlp.fc`, c, 4 * c, 0.02),
      mlpProj: this.#linear(`blocks.${i}.mlp.proj`, 4 * c, c, residualStd),
    }));
    this.lnF = this.#norm("lnF");
    const mask = new Float32Array(t * t);
    for (let row = 0; row < t; row++) for (let col = row + 1; col < t; col++) mask[row * t + col] = -1e9;
    this.mask = tf.tensor(mask, [1, t, t], "float32");
  }

  #nextSeed(): number {
    return this.#seed++;
  }

  /** A variable named after infiniset's parameter (`Gpt.namedParameters()`), for `copyFrom`. */
  #param(name: string, initial: TfT, transposed = false): TfVariable {
    const v = this.tf.variable(initial, true, `${this.#prefix}/${name}`);
    initial.dispose();
    this.vars.push(v);
    this.#sources.set(v, { name, transposed });
    return v;
  }

  #linear(name: string, inputs: number, outputs: number, std: number): TfLinear {
    const initial = this.tf.randomNormal([inputs, outputs], 0, std, "float32", this.#nextSeed());
    // infiniset's Linear keeps PyTorch's [out, in] layout.
    const w = this.#param(`${name}.weight`, initial, true);
    this.decayed.push(w);
    return { w, b: this.#param(`${name}.bias`, this.tf.zeros([outputs])) };
  }

  #norm(name: string): TfNorm {
    const { nEmbd } = this.s;
    return {
      g: this.#param(`${name}.weight`, this.tf.ones([nEmbd])),
      b: this.#param(`${name}.bias`, this.tf.zeros([nEmbd])),
    };
  }

  /** Sets every variable to the value of infiniset's parameter of the same name. */
  copyFrom(values: Map<string, { data: Float32Array; shape: number[] }>): void {
    for (const v of this.vars) {
      const { name, transposed } = this.#sources.get(v)!;
      const value = values.get(name);
      if (!value) throw new Error(`tfjs model: infiniset has no parameter ${name}`);
      let data = value.data;
      if (transposed) {
        const [rows, cols] = value.shape as [number, number];
        data = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++)
          for (let c = 0; c < cols; c++) data[c * rows + r] = value.data[r * cols + c]!;
      }
      const t = this.tf.tensor(data, v.shape, "float32");
      v.assign(t);
      t.dispose();
    }
  }

  parameterCount(): number {
    return this.vars.reduce((total, v) => total + v.shape.reduce((a, b) => a * b, 1), 0);
  }

  #layerNorm(x: TfT, n: TfNorm): TfT {
    const { tf } = this;
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), n.g), n.b);
  }

  #linearOf(x: TfT, l: TfLinear): TfT {
    return this.tf.fused.matMul({ a: x, b: l.w, bias: l.b });
  }

  /**
   * The token embedding: a gather forward. tfjs-backend-wasm has no UnsortedSegmentSum, the
   * kernel gather's gradient needs, so the gradient is the one-hot product oneHot(ids)ᵀ·dy.
   */
  #embed(ids: TfT): TfT {
    const { tf } = this;
    const lookup = tf.customGrad((table: TfT) => ({
      value: tf.gather(table, ids),
      gradFunc: (dy: TfT) => [tf.matMul(tf.oneHot(ids, this.vocab), dy, true, false)],
    }));
    return lookup(this.wte);
  }

  /** Mean cross-entropy of the next-token logits; ids and targets are int32 [B·T]. */
  loss(ids: TfT, targets: TfT): TfT {
    const { tf } = this;
    const { batchSize: b, blockSize: t, nEmbd: c, nHead: h } = this.s;
    const hs = c / h;
    // [B·T, C] throughout; the learned positions broadcast over the batch.
    let x = tf.reshape(tf.add(tf.reshape(this.#embed(ids), [b, t, c]), this.wpe), [b * t, c]);
    const heads = (v: TfT) =>
      tf.reshape(tf.transpose(tf.reshape(v, [b, t, h, hs]), [0, 2, 1, 3]), [b * h, t, hs]);
    for (const block of this.blocks) {
      const [q, k, v] = tf.split(this.#linearOf(this.#layerNorm(x, block.ln1), block.attn), 3, 1);
      const scores = tf.add(
        tf.mul(tf.matMul(heads(q!), heads(k!), false, true), 1 / Math.sqrt(hs)),
        this.mask,
      );
      const y = tf.matMul(tf.softmax(scores), heads(v!));
      const merged = tf.reshape(tf.transpose(tf.reshape(y, [b, h, t, hs]), [0, 2, 1, 3]), [b * t, c]);
      x = tf.add(x, this.#linearOf(merged, block.proj));
      const u = this.#linearOf(this.#layerNorm(x, block.ln2), block.fc);
      const gelu = tf.mul(tf.mul(u, 0.5), tf.add(tf.erf(tf.mul(u, Math.SQRT1_2)), 1));
      x = tf.add(x, this.#linearOf(gelu, block.mlpProj));
    }
    const logits = tf.matMul(this.#layerNorm(x, this.lnF), this.wte, false, true);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(targets, this.vocab), tf.logSoftmax(logits)), 1)));
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
    this.mask.dispose();
  }
}

/**
 * A training step in tfjs: gradients (tf.variableGrads), clipping by global norm with
 * PyTorch's factor min(1, max/(norm + 1e-6)), AdamW's decoupled decay p ← p·(1 − lr·wd) on the
 * Linear weights, then tf.train.adam's update from the gradients of the undecayed weights,
 * which is PyTorch's AdamW order. The learning rate follows the preset's schedule; the
 * batches are the ones infiniset's run draws.
 */
function tfjsTrainer(
  tf: TfOps,
  settings: GptTrainingSettings,
  dataset: TextDataset,
): { model: TfGpt; step: Step; dispose(): void } {
  const model = new TfGpt(tf, settings, dataset.tokenizer.vocabSize, settings.seed);
  const schedule = warmupCosine({
    warmup: settings.warmup,
    total: settings.decayIterations,
    maxLr: settings.lr,
    minLr: settings.minLr,
  });
  const adam = tf.train.adam(settings.lr, settings.betas[0], settings.betas[1], 1e-8);
  const { batches } = fitRngs(settings.seed);
  const n = settings.batchSize * settings.blockSize;
  const names = model.vars.map((v) => v.name);
  const step: Step = (iteration) => {
    const lr = schedule(iteration);
    adam.learningRate = lr;
    const batch: BlockBatch = sampleBlockBatch(dataset.train, settings, batches);
    const loss = tf.tidy(() => {
      const ids = tf.tensor(batch.x, [n], "int32");
      const targets = tf.tensor(batch.y, [n], "int32");
      const { value, grads } = tf.variableGrads(() => model.loss(ids, targets), model.vars);
      const norm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(grads[name]!)))));
      const factor = tf.minimum(tf.div(settings.clipNorm, tf.add(norm, 1e-6)), 1);
      const clipped: Record<string, TfT> = {};
      for (const name of names) clipped[name] = tf.mul(grads[name]!, factor);
      for (const w of model.decayed) w.assign(tf.mul(w, 1 - lr * settings.weightDecay));
      adam.applyGradients(clipped);
      return value;
    });
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  };
  return {
    model,
    step,
    dispose() {
      adam.dispose();
      model.dispose();
    },
  };
}

function timeTfjs(
  tf: TfOps,
  settings: GptTrainingSettings,
  dataset: TextDataset,
  warmup: number,
  iters: number,
  log: (message: string) => void,
): StepTimes {
  const before = tf.memory().numTensors;
  const trainer = tfjsTrainer(tf, settings, dataset);
  const created = tf.memory().numTensors;
  log(`tfjs model: ${trainer.model.parameterCount()} parameters`);
  try {
    const times = timeSteps(warmup, iters, trainer.step);
    // Adam's two moments per variable are new tensors; anything beyond them leaked.
    const leaked = tf.memory().numTensors - created - 2 * trainer.model.vars.length;
    if (leaked > 0) log(`tfjs: ${leaked} more tensors than expected after the run`);
    return times;
  } finally {
    trainer.dispose();
    const left = tf.memory().numTensors - before;
    if (left > 0) log(`tfjs: ${left} tensors left after disposing the model`);
  }
}

/**
 * --check: infiniset (on `target`) and the tfjs model from the same initial weights, on the
 * same batches, for `steps` steps: the largest difference between their losses. The models
 * agree when it is at the level of float32 rounding.
 */
function checkTfjs(
  tf: TfOps,
  target: Target,
  settings: GptTrainingSettings,
  dataset: TextDataset,
  steps: number,
): { ours: number[]; theirs: number[]; maxDiff: number } {
  const reference = infinisetTrainer(target, settings, dataset);
  const trainer = tfjsTrainer(tf, settings, dataset);
  try {
    trainer.model.copyFrom(reference.initial());
    const ours = Array.from({ length: steps }, (_, i) => reference.step(i));
    const theirs = Array.from({ length: steps }, (_, i) => trainer.step(i));
    const maxDiff = Math.max(...ours.map((loss, i) => Math.abs(loss - theirs[i]!)));
    return { ours, theirs, maxDiff };
  } finally {
    trainer.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// PyTorch: bench/pytorch/time_gpt_baby.py, which times the step of train_gpt_baby.py.

interface TorchTiming extends StepTimes {
  threads: number;
  blasThreads: string;
  torch: string;
}

function timeTorch(
  python: string,
  threads: number,
  preset: string,
  warmup: number,
  iters: number,
): TorchTiming {
  const script = fileURLToPath(new URL("../pytorch/time_gpt_baby.py", import.meta.url));
  const child = spawnSync(
    python,
    [
      script,
      "--threads",
      String(threads),
      "--preset",
      preset,
      "--iters",
      String(iters),
      "--warmup",
      String(warmup),
    ],
    {
      encoding: "utf8",
      timeout: 3_600_000,
      // train_gpt_baby.py reads the corpus through node from the repository root.
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      // Debian's torch and OpenBLAS busy-wait in OpenMP between parallel regions; on a shared
      // machine the spinning threads starve each other (2 threads: seconds per step), so they
      // sleep instead unless the caller says otherwise.
      env: { OMP_WAIT_POLICY: "PASSIVE", ...process.env },
    },
  );
  if (child.status !== 0) {
    const why = (child.stderr || String(child.error ?? "failed")).trim().split("\n").pop();
    throw new Error(`bench/pytorch/time_gpt_baby.py failed: ${why}`);
  }
  const r = JSON.parse(child.stdout.trim().split("\n").pop()!) as TorchTiming;
  return r;
}

// ---------------------------------------------------------------------------------------

async function runTrainGpt(context: BenchContext): Promise<void> {
  const { args, threads } = context;
  const preset = option(args, "--preset") ?? "baby";
  if (!(preset in GPT_PRESETS))
    throw new Error(`train-gpt: unknown preset "${preset}" (use ${Object.keys(GPT_PRESETS).join(", ")})`);
  // A step of the small preset is ~50× the baby's: fewer steps by default.
  const iters = count(args, "--iters", preset === "baby" ? DEFAULT_ITERS : 5, 1);
  const warmup = count(args, "--warmup", preset === "baby" ? DEFAULT_WARMUP : 1, 0);
  const impls = (option(args, "--impls") ?? IMPLS.join(",")).split(",").map((s) => s.trim());
  for (const impl of impls) {
    if (!(IMPLS as readonly string[]).includes(impl))
      throw new Error(`train-gpt: unknown implementation "${impl}" (use ${IMPLS.join(", ")})`);
  }
  const wanted = (impl: ImplName) => impls.includes(impl);
  const checkSteps = args.includes("--check") ? count(args, "--check-steps", 5, 1) : 0;
  const child = option(args, "--child");
  if (child !== undefined) return runChild(context, child, preset, warmup, iters);
  // --only-threads: the --threads count alone, without 1 beside it (bench/scaling.sh runs 1 on its own).
  const threadCounts = threads > 1 && !args.includes("--only-threads") ? [1, threads] : [threads];
  // --targets native,wasm: which infiniset targets (default: every available one).
  const targets = option(args, "--targets")?.split(",");

  const settings = presetSettings(preset);
  const corpus = loadCorpus(settings.data);
  const dataset = prepareTextDataset(corpus, CharTokenizer.fromCorpus(corpus.text), {
    blockSize: settings.blockSize,
  });
  const tokensPerIter = settings.batchSize * settings.blockSize;
  context.log(
    `${preset} preset: ${settings.nLayer} layers, ${settings.nHead} heads, embedding ${settings.nEmbd}, block ${settings.blockSize}, ` +
      `batch ${settings.batchSize}, dropout ${settings.dropout}, vocabulary ${dataset.tokenizer.vocabSize}; ${warmup} warm-up + ${iters} timed steps each`,
  );

  const emit = (
    impl: string,
    target: string,
    used: number | null,
    t: StepTimes,
    extra: Partial<BenchRecord> = {},
  ) => {
    const tokensPerSec = (tokensPerIter * 1000) / t.msPerIter;
    context.emit({
      bench: "train-gpt",
      impl,
      target,
      threads: used,
      msPerIter: t.msPerIter,
      cpuMsPerIter: t.cpuMsPerIter,
      tokensPerSec,
      meanMs: t.meanMs,
      minMs: t.minMs,
      maxMs: t.maxMs,
      firstLoss: t.firstLoss,
      lastLoss: t.lastLoss,
      preset,
      warmup,
      iters,
      ...extra,
    });
    context.log(
      `${impl} ${target} ${used ?? "?"} thread(s): ${fmt(t.msPerIter)} ms/iter (median; min ${fmt(t.minMs)}, max ${fmt(t.maxMs)}), ` +
        `${fmt(tokensPerSec)} tokens/s; loss ${t.firstLoss.toFixed(4)} → ${t.lastLoss.toFixed(4)}`,
    );
  };
  const skip = (impl: string, target: string, note: string) => {
    context.emit({ bench: "train-gpt", impl, target, skipped: note });
    context.log(`${impl} ${target}: ${note}`);
  };

  if (wanted("infiniset")) {
    for (const registered of availableTargets()) {
      if (targets && !targets.includes(registered.name)) continue;
      if (registered.name === "ref") {
        skip(
          "infiniset",
          "ref",
          "skipped: ref interprets every instruction in plain TypeScript (matmul ~0.1 GFLOP/s), so one step (~4 GFLOP) would take about 30 s",
        );
        continue;
      }
      // A target without a thread-count option runs once, as registered.
      const runs = withThreads(registered, 1) === undefined ? [null] : threadCounts;
      for (const used of runs) {
        context.log(`infiniset ${registered.name}, ${used ?? "default"} thread(s), in a child process`);
        try {
          emit(
            "infiniset",
            registered.name,
            used,
            timeInfinisetInChild(registered.name, used, preset, warmup, iters),
          );
        } catch (error) {
          skip(
            "infiniset",
            registered.name,
            `failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  }

  if (wanted("tfjs") && settings.dropout > 0) {
    skip(
      "tfjs",
      "wasm",
      `skipped: the tfjs model has no dropout (the ${preset} preset's is ${settings.dropout})`,
    );
  } else if (wanted("tfjs")) {
    const loaded = await loadTfjs();
    if (!loaded.ok) {
      skip("tfjs", "wasm", loaded.note);
    } else {
      const tf = loaded.value.tf as unknown as TfOps;
      try {
        if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend failed to start");
        await tf.ready();
        context.log(`tfjs ${tf.version["tfjs-core"] ?? ""} on ${tf.getBackend()}`);
        if (checkSteps > 0) {
          const target = availableTargets().find((t) => t.name === "wasm") ?? availableTargets()[0]!;
          const check = checkTfjs(tf, target, settings, dataset, checkSteps);
          const diff = check.maxDiff.toExponential(2);
          context.log(
            `check: from infiniset's initial weights, on the same ${checkSteps} batches, losses differ by at most ${diff}`,
          );
          context.log(`  infiniset-${target.name}: ${check.ours.map((l) => l.toFixed(5)).join(" ")}`);
          context.log(`  tfjs-wasm:      ${check.theirs.map((l) => l.toFixed(5)).join(" ")}`);
          context.emit({
            bench: "train-gpt",
            impl: "tfjs",
            target: "wasm",
            check: `max |loss difference| over ${checkSteps} steps from infiniset-${target.name}'s initial weights`,
            maxLossDiff: check.maxDiff,
          });
        }
        const t = timeTfjs(tf, settings, dataset, warmup, iters, context.log);
        emit("tfjs", "wasm", loaded.value.wasmThreads, t, { version: tf.version["tfjs-core"] });
      } catch (error) {
        skip("tfjs", "wasm", `failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  if (wanted("pytorch")) {
    const torch = probeTorch();
    if (!torch.ok) {
      skip("pytorch", "cpu", torch.note);
    } else {
      for (const used of threadCounts) {
        context.log(`pytorch ${torch.value.version}, ${used} thread(s)`);
        try {
          const r = timeTorch(torch.value.python, used, preset, warmup, iters);
          emit("pytorch", "cpu", r.threads, r, { version: r.torch, blasThreads: r.blasThreads });
        } catch (error) {
          skip("pytorch", "cpu", error instanceof Error ? error.message : String(error));
        }
      }
    }
  }
}

function renderTrainGpt(records: BenchRecord[]): string {
  const results = records.filter((r) => r.skipped === undefined && r.msPerIter !== undefined);
  const tokens = (r: BenchRecord) => Number(r.tokensPerSec);
  const ours = results.filter((r) => r.impl === "infiniset");
  const best = ours.length > 0 ? Math.max(...ours.map(tokens)) : undefined;
  const wasm = ours.filter((r) => r.target === "wasm");
  const bestWasm = wasm.length > 0 ? Math.max(...wasm.map(tokens)) : undefined;
  const ratio = (mine: number | undefined, r: BenchRecord) =>
    mine === undefined ? "—" : `${fmt(mine / tokens(r))}×`;
  // An infiniset row against PyTorch on as many threads.
  const torchAt = (r: BenchRecord) =>
    results.find((t) => t.impl === "pytorch" && t.threads === r.threads && r.impl === "infiniset");
  const first = results[0];
  const lines = [
    `train-gpt: the ${first?.preset ?? "baby"} preset, ${first ? `${first.warmup} warm-up + ${first.iters} timed steps, ` : ""}median ms per training step; ` +
      "ratios are tokens/s of the best infiniset row (and of the best infiniset-wasm row) over this row's, " +
      "and of an infiniset row over PyTorch's on as many threads (by wall time, and by CPU time: " +
      "what a step costs on a shared machine, where time slices inflate wall times)",
    "",
    formatTable(
      [
        "impl",
        "target",
        "threads",
        "ms/iter",
        "CPU ms/iter",
        "fastest ms",
        "tokens/s",
        "last loss",
        "infiniset ÷ this",
        "wasm ÷ this",
        "this ÷ PyTorch, same threads",
        "same, by CPU time",
      ],
      results.map((r) => [
        String(r.impl),
        String(r.target),
        r.threads === null ? "?" : Number(r.threads),
        fmt(Number(r.msPerIter)),
        r.cpuMsPerIter === undefined ? "—" : fmt(Number(r.cpuMsPerIter)),
        fmt(Number(r.minMs)),
        fmt(tokens(r)),
        Number(r.lastLoss).toFixed(4),
        ratio(best, r),
        ratio(bestWasm, r),
        torchAt(r) ? `${fmt(tokens(r) / tokens(torchAt(r)!))}×` : "—",
        torchAt(r)?.cpuMsPerIter !== undefined && r.cpuMsPerIter !== undefined
          ? `${fmt(Number(torchAt(r)!.cpuMsPerIter) / Number(r.cpuMsPerIter))}×`
          : "—",
      ]),
    ),
  ];
  const notes = records.filter((r) => r.skipped !== undefined || r.check !== undefined);
  if (notes.length > 0) {
    lines.push("", "notes:");
    for (const n of notes) {
      const text = n.skipped ?? `${n.check}: ${Number(n.maxLossDiff).toExponential(2)}`;
      lines.push(`  ${n.impl} ${n.target}: ${text}`);
    }
  }
  return lines.join("\n");
}

export const trainGpt: Bench = {
  name: "train-gpt",
  description:
    "ms per training step of a GPT preset (--preset baby|small): infiniset targets, TF.js-wasm, PyTorch (--iters, --warmup, --impls)",
  run: runTrainGpt,
  render: renderTrainGpt,
};
