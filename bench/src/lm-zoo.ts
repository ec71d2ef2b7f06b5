// lm-zoo: which language model wins on Moby Dick, and at what cost. Character-level
// Kneser-Ney n-grams (orders 3, 5, 7), a character LSTM, a character GRU and the baby GPT,
// all trained on the first 90% of the book's characters and scored on the last 10%.
//
//   npm run bench -- lm-zoo [--iters N] [--models 3-gram,5-gram,7-gram,lstm,gru,gpt] [--json]
//
// Per-character validation perplexity is e to the mean negative log-likelihood of the
// characters a model predicts. The neural models predict every character of the
// validation text, scored in consecutive blocks of 64 (each from an empty context, as they
// were trained); the n-grams predict each line's characters and its end (`</s>`, standing
// for the line break) from the line's start, skipping blank lines, as n-gram toolkits do.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMobyDick } from "../../dist/src/data/moby-dick.js";
import { arpaLines } from "../../dist/src/models/ngram/arpa.js";
import { trainNgram } from "../../dist/src/models/ngram/train.js";
import { defaultTarget } from "../../dist/src/runtime/default-target.js";
import { tensor } from "../../dist/src/tensor/creation.js";
import { noGrad } from "../../dist/src/tensor/functional.js";
import type { TrainableLanguageModel } from "../../dist/src/train/fit.js";
import { presetSettings } from "../../dist/src/train/gpt-settings.js";
import { rnnPresetSettings } from "../../dist/src/train/rnn-settings.js";
import { trainGpt, trainRnnLm } from "../../dist/src/train/train-language-model.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

/**
 * Optimizer steps per neural model unless --iters says otherwise: the whole bench then
 * takes a few minutes on two cores. The presets' full runs are 2000 steps.
 */
const DEFAULT_ITERATIONS = 200;
/** Validation blocks scored per forward pass. */
const EVAL_BATCH = 64;
const MODELS = ["3-gram", "5-gram", "7-gram", "lstm", "gru", "gpt"] as const;
type ModelName = (typeof MODELS)[number];

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`lm-zoo: ${name} needs a value`);
  return value;
}

/** The book split as the training runs split it: the first round(0.9·N) characters (code points) train. */
function splitBook(): { train: string; validation: string; characters: number } {
  const characters = Array.from(loadMobyDick());
  const cut = Math.round(characters.length * 0.9);
  return {
    train: characters.slice(0, cut).join(""),
    validation: characters.slice(cut).join(""),
    characters: characters.length,
  };
}

/** Mean loss over every whole block of `blockSize` tokens in `tokens`, in order, without gradients. */
function meanLossOverBlocks(model: TrainableLanguageModel, tokens: Int32Array, blockSize: number): number {
  const blocks = Math.floor((tokens.length - 1) / blockSize);
  model.train(false);
  let total = 0;
  for (let first = 0; first < blocks; first += EVAL_BATCH) {
    const count = Math.min(EVAL_BATCH, blocks - first);
    const ids = new Int32Array(count * blockSize);
    const targets = new Int32Array(count * blockSize);
    for (let b = 0; b < count; b++) {
      const start = (first + b) * blockSize;
      ids.set(tokens.subarray(start, start + blockSize), b * blockSize);
      targets.set(tokens.subarray(start + 1, start + blockSize + 1), b * blockSize);
    }
    const loss = noGrad(() =>
      model.loss(
        tensor(ids, [count, blockSize], { dtype: "int32" }),
        tensor(targets, [count, blockSize], { dtype: "int32" }),
      ),
    ).item();
    total += loss * count;
  }
  return total / blocks;
}

function ngramRecord(order: number, split: ReturnType<typeof splitBook>): BenchRecord {
  const started = performance.now();
  const model = trainNgram({ order, level: "char" }, split.train);
  const trainSeconds = (performance.now() - started) / 1000;
  let sizeBytes = 0;
  for (const line of arpaLines(model)) sizeBytes += Buffer.byteLength(line) + 1;
  const result = model.perplexity(split.validation);
  return {
    bench: "lm-zoo",
    impl: "infiniset",
    model: `char ${order}-gram KN`,
    valPerplexity: result.perplexity,
    trainSeconds,
    sizeBytes,
    iterations: null,
    predicted: result.tokens,
  };
}

function neuralRecord(
  name: "lstm" | "gru" | "gpt",
  iterations: number,
  split: ReturnType<typeof splitBook>,
  context: BenchContext,
): BenchRecord {
  const out = mkdtempSync(join(tmpdir(), `infiniset-lm-zoo-${name}-`));
  try {
    // The presets' schedules, shrunk to the run: warm-up the same share of it, cosine to its end.
    const schedule = {
      data: "moby-dick",
      iterations,
      decayIterations: iterations,
      warmup: Math.max(1, Math.round(iterations / 20)),
      evalInterval: iterations,
      evalBatches: 1,
      checkpointEvery: iterations,
    };
    const started = performance.now();
    const trained =
      name === "gpt"
        ? trainGpt({ settings: { ...presetSettings("baby"), ...schedule }, out })
        : trainRnnLm({ settings: { ...rnnPresetSettings("baby", name), ...schedule }, out });
    const trainSeconds = (performance.now() - started) / 1000;
    context.log(
      `${name}: ${iterations} iterations in ${trainSeconds.toFixed(1)} s; scoring the validation text`,
    );
    const tokens = trained.tokenizer.encode(split.validation);
    const loss = meanLossOverBlocks(trained.model, tokens, trained.settings.blockSize);
    const weights = join(trained.checkpoint!, "model.safetensors");
    const description =
      name === "gpt"
        ? "baby GPT"
        : `char ${name.toUpperCase()} ${trained.settings.nLayer}×${(trained.settings as { hiddenSize: number }).hiddenSize}`;
    return {
      bench: "lm-zoo",
      impl: "infiniset",
      model: description,
      valPerplexity: Math.exp(loss),
      trainSeconds,
      sizeBytes: statSync(weights).size,
      iterations,
      target: defaultTarget().name,
      parameters: trained.model.parameterCount(),
      predicted: Math.floor((tokens.length - 1) / trained.settings.blockSize) * trained.settings.blockSize,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function runLmZoo(context: BenchContext): Promise<void> {
  const iterations = Number(option(context.args, "--iters") ?? DEFAULT_ITERATIONS);
  if (!Number.isInteger(iterations) || iterations < 2)
    throw new Error("lm-zoo: --iters needs a whole number >= 2");
  const wanted = (option(context.args, "--models") ?? MODELS.join(",")).split(",").map((m) => m.trim());
  for (const name of wanted) {
    if (!MODELS.includes(name as ModelName))
      throw new Error(`lm-zoo: unknown model "${name}" (choose from ${MODELS.join(", ")})`);
  }
  const split = splitBook();
  context.log(
    `Moby Dick: ${split.characters} characters, ${split.characters - Array.from(split.validation).length} train, ` +
      `${Array.from(split.validation).length} validation; neural models: ${iterations} iterations each ` +
      `on the "${defaultTarget().name}" target`,
  );
  for (const name of MODELS.filter((m) => wanted.includes(m))) {
    context.log(`training ${name}`);
    const record =
      name === "lstm" || name === "gru" || name === "gpt"
        ? neuralRecord(name, iterations, split, context)
        : ngramRecord(Number(name[0]), split);
    context.emit(record);
  }
}

function renderLmZoo(records: BenchRecord[]): string {
  const rows = records.map((r) => [
    String(r.model),
    fmt(r.valPerplexity as number, 4),
    fmt(r.trainSeconds as number, 3),
    String(r.sizeBytes),
    r.iterations === null ? "—" : String(r.iterations),
  ]);
  return formatTable(["model", "val perplexity (per char)", "train s", "size bytes", "iterations"], rows);
}

export const lmZoo: Bench = {
  name: "lm-zoo",
  description:
    "char n-grams (3, 5, 7), LSTM, GRU and the baby GPT on Moby Dick: validation perplexity, training time, size (--iters, --models)",
  run: runLmZoo,
  render: renderLmZoo,
};
