// compress: what compressing a trained GPT costs and buys — size, validation loss and decode
// speed of each model, the float one first, on infiniset's targets.
//
//   npm run bench -- compress --models float=DIR,int8=DIR,int4=DIR,...
//                            [--targets native,wasm] [--tokens 40] [--repeats 5]
//                            [--batches 40] [--batch-size 12] [--json]
//
// Each DIR is a run directory or checkpoint folder written by train, quantize, prune or
// distill (README, "Compressing a model" has the commands). One record per model × target:
// sizeBytes (the checkpoint's weights file), valLoss (--batches random batches of the
// validation split, seed 0, the same batches for every model), decodeTokPerSec (greedy
// tokens after a short prompt, with the KV cache), and the ratios to the first model.
// Decode runs are interleaved across models, --repeats rounds after a warm-up round, each
// round starting one model further on (going first was measured to cost up to 15%), and the
// median is kept, so a machine shared with other work slows every model alike.
import { statSync } from "node:fs";
import { join } from "node:path";
import { type Corpus, loadCorpus } from "../../dist/src/data/corpus.js";
import { type Target, withTarget } from "../../dist/src/index.js";
import { createNativeTarget, createWasmTarget } from "../../dist/src/targets/index.js";
import { evaluateLanguageModel } from "../../dist/src/train/evaluate-language-model.js";
import {
  type LoadedLanguageModel,
  loadLanguageModelCheckpoint,
} from "../../dist/src/train/language-model-checkpoint.js";
import { type Bench, type BenchRecord, fmt, formatTable } from "./report.js";

const PROMPT = "Call me Ishmael. ";

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith("--")) throw new Error(`compress: ${name} needs a value`);
  return value;
}

function count(args: string[], name: string, fallback: number): number {
  const text = option(args, name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`compress: ${name} needs a whole number >= 1`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `name=DIR` pairs, in the order given. */
function parseModels(text: string | undefined): { method: string; dir: string }[] {
  if (text === undefined)
    throw new Error("compress: give --models float=DIR,int8=DIR,… (the float model first)");
  return text.split(",").map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0 || at === pair.length - 1) throw new Error(`compress: "${pair}" is not name=DIR`);
    return { method: pair.slice(0, at), dir: pair.slice(at + 1) };
  });
}

function targetNamed(name: string, threads: number): Target {
  if (name === "native") return createNativeTarget({ threads });
  if (name === "wasm") return createWasmTarget({ threads });
  throw new Error(`compress: no target "${name}" (native or wasm)`);
}

/** Greedy decode of `tokens` tokens after the prompt; tokens per second after the first. */
function decodeRate(loaded: LoadedLanguageModel, tokens: number): number {
  const prompt = [...loaded.tokenizer.encode(PROMPT)];
  if (prompt.length + tokens > loaded.blockSize)
    throw new Error(`compress: --tokens ${tokens} and the prompt overrun the context (${loaded.blockSize})`);
  const stamps: number[] = [];
  loaded.model.generate(prompt, {
    maxTokens: tokens + 1,
    seed: 0,
    sampler: { temperature: 0 },
    onToken: () => {
      stamps.push(performance.now());
    },
  });
  // The first token comes from the prompt's pass; decoding is what follows it.
  return ((stamps.length - 1) / (stamps[stamps.length - 1]! - stamps[0]!)) * 1000;
}

export const compress: Bench = {
  name: "compress",
  description: "compressed GPTs (quantized, pruned, distilled): size, val loss, decode tok/s vs float",
  async run(context) {
    const models = parseModels(option(context.args, "--models"));
    const targets = (option(context.args, "--targets") ?? "native,wasm").split(",");
    const tokens = count(context.args, "--tokens", 40);
    const repeats = count(context.args, "--repeats", 5);
    const batches = count(context.args, "--batches", 40);
    const batchSize = count(context.args, "--batch-size", 12);
    const quality = new Map<string, { sizeBytes: number; valLoss: number }>();
    const corpora = new Map<string, Corpus>();
    for (const name of targets) {
      const target = targetNamed(name, context.threads);
      const rates = await withTarget(target, () => {
        const loaded = models.map(({ method, dir }) => {
          const model = loadLanguageModelCheckpoint(dir);
          if (!quality.has(method)) {
            context.log(`${method}: validation loss on ${batches} batches…`);
            const data = model.config.training.data;
            if (typeof data !== "string") throw new Error(`compress: ${model.path} does not name its data`);
            const corpus = corpora.get(data) ?? loadCorpus(data);
            corpora.set(data, corpus);
            const { valLoss } = evaluateLanguageModel(model, corpus, { batches, batchSize, seed: 0 });
            quality.set(method, { sizeBytes: statSync(join(model.path, "model.safetensors")).size, valLoss });
          }
          return model;
        });
        context.log(`${name}: decoding ${tokens} tokens, ${repeats} rounds after a warm-up…`);
        const samples = models.map(() => [] as number[]);
        for (let round = 0; round <= repeats; round++) {
          for (let k = 0; k < loaded.length; k++) {
            const i = (round + k) % loaded.length;
            const rate = decodeRate(loaded[i]!, tokens);
            if (round > 0) samples[i]!.push(rate);
          }
        }
        return samples.map(median);
      });
      for (const [i, { method }] of models.entries()) {
        const { sizeBytes, valLoss } = quality.get(method)!;
        const base = quality.get(models[0]!.method)!;
        context.emit({
          bench: "compress",
          impl: `infiniset-${name}`,
          method,
          threads: context.threads,
          sizeBytes,
          sizeRatio: sizeBytes / base.sizeBytes,
          valLoss,
          valLossDelta: valLoss - base.valLoss,
          decodeTokPerSec: rates[i]!,
          decodeSpeedup: rates[i]! / rates[0]!,
        });
      }
    }
  },
  render(records: BenchRecord[]) {
    return formatTable(
      ["method", "impl", "size KB", "size ×", "val loss", "Δ loss", "decode tok/s", "speed ×"],
      records.map((r) => [
        String(r.method),
        r.impl,
        fmt((r.sizeBytes as number) / 1024, 4),
        fmt(r.sizeRatio as number, 3),
        (r.valLoss as number).toFixed(4),
        (r.valLossDelta as number).toFixed(4),
        fmt(r.decodeTokPerSec as number),
        fmt(r.decodeSpeedup as number, 3),
      ]),
    );
  },
};
