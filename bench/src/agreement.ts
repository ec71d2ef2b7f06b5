// agreement: infiniset against llama.cpp on the same GGUF files, teacher-forced.
//
//   npm run bench -- agreement [--models 15m,110m,baby] [--types F32,F16,Q8_0,...]
//                              [--checkpoint runs/baby] [--exact] [--json]
//
// By default infiniset rounds each projection's input as llama.cpp does for the weights'
// type (F16, BF16 or Q8 activations); --exact multiplies float32 activations instead.
//
// For each test model (made by infiniset's writer, see test/fixtures/test-models.ts) and
// tensor type, both read a 128-token passage of Moby Dick and give, at every position, the
// distribution of the next token. Reported: the share of positions with the same top-1 token
// (all, and where llama.cpp's top-2 log-probability margin exceeds 0.01 and 0.1), the largest
// |Δ log-probability| over llama.cpp's 20 most likely tokens, and the mean KL(llama.cpp ‖
// infiniset). Also whether both tokenize the tokenizer corpus identically. "baby" is the
// baby GPT exported by `infiniset export`: llama.cpp against infiniset's own GPT.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMobyDick } from "../../dist/src/data/moby-dick.js";
import { GgufFile } from "../../dist/src/formats/gguf/gguf-file.js";
import { writeGguf } from "../../dist/src/formats/gguf/write-gguf.js";
import { gptGgufContents } from "../../dist/src/models/gpt/export-gguf.js";
import { LlamaModel } from "../../dist/src/models/llama/llama.js";
import type { QuantType } from "../../dist/src/quant/index.js";
import { tensor } from "../../dist/src/tensor/creation.js";
import { noGrad } from "../../dist/src/tensor/functional.js";
import { GgufTokenizer } from "../../dist/src/text/gguf/tokenizer.js";
import { loadGptCheckpoint } from "../../dist/src/train/gpt-checkpoint.js";
import { presetSettings } from "../../dist/src/train/gpt-settings.js";
import { trainGpt } from "../../dist/src/train/train-language-model.js";
import { TEST_MODEL_TYPES, type TestModelName, testModelPath } from "../../dist/test/fixtures/test-models.js";
import { TOKENIZER_CORPUS } from "../../dist/test/fixtures/tokenizer-corpus.js";
import { type LlamaCppModel, loadLlamaCpp, type Token } from "./llama-cpp.js";
import { type Bench, type BenchContext, type BenchRecord, fmt, formatTable } from "./report.js";

const POSITIONS = 128;
const TOP = 20;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

/** Log-softmax of one row of logits, in float64. */
function logSoftmax(row: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of row) max = Math.max(max, v);
  let total = 0;
  for (const v of row) total += Math.exp(v - max);
  const log = Math.log(total) + max;
  return Float64Array.from(row, (v) => v - log);
}

type Distribution = (readonly [id: number, p: number])[];

/** llama.cpp's next-token distribution after each prefix of `ids`, most likely first. */
async function llamaCppDistributions(
  reference: LlamaCppModel,
  ids: readonly number[],
): Promise<Distribution[]> {
  // An F32 KV cache (llama.cpp's default is F16) and no flash attention, so the comparison
  // measures the weights' arithmetic, not the cache's rounding.
  const llamaContext = await reference.createContext({
    contextSize: 256,
    threads: 1,
    flashAttention: false,
    experimentalKvCacheKeyType: "F32",
    experimentalKvCacheValueType: "F32",
  });
  try {
    const evaluated = await llamaContext
      .getSequence()
      .controlledEvaluate(ids.map((id) => [id as Token, { generateNext: { probabilities: true } }]));
    return ids.map((_, t) => {
      const probabilities = evaluated[t]?.next.probabilities;
      if (!probabilities) throw new Error(`llama.cpp gave no probabilities at position ${t}`);
      // node-llama-cpp's float32 softmax sums to 1 ± 1e-4; renormalised, so that rounding
      // is not counted as disagreement.
      const raw = [...probabilities.entries()];
      const sum = raw.reduce((total, [, p]) => total + p, 0);
      return raw.map(([id, p]) => [id, p / sum] as const);
    });
  } finally {
    await llamaContext.dispose();
  }
}

/** Top-1 agreement, |Δ log p| over llama.cpp's top 20 and mean KL(llama.cpp ‖ infiniset). */
function agreementMetrics(theirs: readonly Distribution[], logits: Float32Array, vocab: number) {
  let same = 0;
  let marginCount01 = 0;
  let sameMargin01 = 0;
  let marginCount001 = 0;
  let sameMargin001 = 0;
  let maxDelta = 0;
  let klTotal = 0;
  theirs.forEach((entries, t) => {
    const ours = logSoftmax(logits.subarray(t * vocab, (t + 1) * vocab));
    const [first, second] = [entries[0]!, entries[1]!];
    let ourTop = 0;
    for (let i = 1; i < vocab; i++) if (ours[i]! > ours[ourTop]!) ourTop = i;
    const agree = ourTop === first[0];
    if (agree) same++;
    const margin = Math.log(first[1]) - Math.log(second[1]);
    if (margin > 0.01) {
      marginCount001++;
      if (agree) sameMargin001++;
    }
    if (margin > 0.1) {
      marginCount01++;
      if (agree) sameMargin01++;
    }
    for (const [id, p] of entries.slice(0, TOP))
      maxDelta = Math.max(maxDelta, Math.abs(Math.log(p) - ours[id]!));
    let kl = 0;
    for (const [id, p] of entries) if (p > 0) kl += p * (Math.log(p) - ours[id]!);
    klTotal += kl;
  });
  return {
    positions: theirs.length,
    top1: same / theirs.length,
    top1Margin001: marginCount001 ? sameMargin001 / marginCount001 : null,
    top1Margin01: marginCount01 ? sameMargin01 / marginCount01 : null,
    maxAbsDeltaLogprob: maxDelta,
    meanKl: klTotal / theirs.length,
  };
}

async function compareTestModel(
  context: BenchContext,
  name: TestModelName,
  type: QuantType,
): Promise<BenchRecord | undefined> {
  const llama = await loadLlamaCpp(context.log);
  if (!llama) return undefined;
  const path = testModelPath(name, type);
  const reference = await llama.loadModel({ modelPath: path });
  const file = GgufFile.open(path);
  try {
    const tokenizer = GgufTokenizer.fromGguf(file);
    let tokenizationIdentical = 0;
    for (const text of TOKENIZER_CORPUS) {
      for (const special of [false, true]) {
        const theirs = [...reference.tokenize(text, special)];
        const ours = tokenizer.encode(text, { addSpecial: false, parseSpecial: special });
        if (theirs.length === ours.length && theirs.every((id, i) => id === ours[i])) tokenizationIdentical++;
        else context.log(`tokenization differs (special ${special}): ${JSON.stringify(text)}`);
      }
    }
    const passage = loadMobyDick().slice(20_000, 22_000);
    const ids = [tokenizer.bosId!, ...tokenizer.encode(passage, { addSpecial: false })].slice(0, POSITIONS);
    const theirs = await llamaCppDistributions(reference, ids);
    const model = new LlamaModel(file, { roundActivations: !context.args.includes("--exact") });
    const logits = noGrad(() => {
      const cache = model.createCache(ids.length);
      const out = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), cache, {
        allPositions: true,
      });
      return out.dataSync() as Float32Array;
    });
    return {
      bench: "agreement",
      impl: context.args.includes("--exact") ? "infiniset-exact" : "infiniset",
      model: name,
      quant: type,
      ...agreementMetrics(theirs, logits, model.config.vocabSize),
      tokenizationIdentical: `${tokenizationIdentical}/${2 * TOKENIZER_CORPUS.length}`,
    };
  } finally {
    file.close();
    await reference.dispose();
  }
}

/**
 * The baby GPT exported to GGUF: llama.cpp's distributions against infiniset's own GPT
 * (not its GGUF loader). From --checkpoint DIR, else a baby preset trained for 300 steps.
 */
async function compareBaby(
  context: BenchContext,
  checkpoint: string | undefined,
): Promise<BenchRecord | undefined> {
  const llama = await loadLlamaCpp(context.log);
  if (!llama) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "infiniset-baby-gguf-"));
  try {
    let source = checkpoint;
    if (!source) {
      context.log("no --checkpoint: training the baby GPT for 300 steps");
      const steps = {
        iterations: 300,
        decayIterations: 300,
        warmup: 15,
        evalInterval: 300,
        evalBatches: 1,
        checkpointEvery: 300,
      };
      trainGpt({ settings: { ...presetSettings("baby"), ...steps }, out: join(dir, "run") });
      source = join(dir, "run");
    }
    const { model, tokenizer } = loadGptCheckpoint(source);
    const path = join(dir, "baby.gguf");
    writeGguf(path, gptGgufContents(model, tokenizer.toJSON() as never));
    const reference = await llama.loadModel({ modelPath: path });
    try {
      const text = loadMobyDick().slice(40_000, 41_000);
      const ids = [...tokenizer.encode(text)].slice(0, model.config.blockSize);
      const llamaIds = [...reference.tokenize(text, false)].slice(0, ids.length);
      const same = llamaIds.every((id, i) => id === ids[i]);
      const theirs = await llamaCppDistributions(reference, ids);
      const logits = noGrad(
        () => model.forward(tensor(ids, [1, ids.length], { dtype: "int32" })).dataSync() as Float32Array,
      );
      return {
        bench: "agreement",
        impl: "infiniset",
        model: "baby-gpt",
        quant: "F32",
        ...agreementMetrics(theirs, logits, model.config.vocabSize),
        tokenizationIdentical: same ? "1/1" : "0/1",
      };
    } finally {
      await reference.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const agreement: Bench = {
  name: "agreement",
  description: "infiniset vs llama.cpp on GGUF test models: top-1, |Δ log p|, KL, tokenization",
  async run(context) {
    const models = (option(context.args, "--models") ?? "15m,110m,baby").split(",");
    const types = (option(context.args, "--types")?.split(",") ?? [...TEST_MODEL_TYPES]).map((t) =>
      t.toUpperCase(),
    ) as QuantType[];
    for (const name of models) {
      if (name === "baby") {
        const record = await compareBaby(context, option(context.args, "--checkpoint"));
        if (record) context.emit(record);
        continue;
      }
      for (const type of types) {
        context.log(`${name} ${type}…`);
        const record = await compareTestModel(context, name as TestModelName, type);
        if (record) context.emit(record);
      }
    }
  },
  render(records) {
    return formatTable(
      [
        "model",
        "type",
        "top-1",
        "top-1 (margin>0.01)",
        "top-1 (margin>0.1)",
        "max |Δ log p| top-20",
        "mean KL",
        "tokenization",
      ],
      records.map((r) => [
        String(r.model),
        String(r.quant),
        fmt(r.top1 as number),
        fmt(r.top1Margin001 as number),
        fmt(r.top1Margin01 as number),
        fmt(r.maxAbsDeltaLogprob as number, 2),
        fmt(r.meanKl as number, 2),
        String(r.tokenizationIdentical),
      ]),
    );
  },
};
