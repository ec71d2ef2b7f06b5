// One decode measurement in a fresh process (so resident memory is this model's alone):
//   node bench/dist/decode-run.js <infiniset|llama.cpp> <model.gguf> <threads>
// prints one JSON object: prefill of a 128-token prompt, time to first token, decode speed
// over 64 greedy tokens, resident memory after load. infiniset's target and threads come
// from INFINISET_TARGET and INFINISET_THREADS, set by the parent.

import { loadMobyDick } from "../../dist/src/data/moby-dick.js";
import { loadGgufModel } from "../../dist/src/models/llama/load.js";
import { GenerationSession } from "../../dist/src/models/llama/session.js";
import { loadLlamaCpp, type Token } from "./llama-cpp.js";

const PROMPT_TOKENS = 128;
const DECODE_TOKENS = 64;
const CONTEXT = 256;
const TEXT = loadMobyDick().slice(30_000, 33_000);

interface Measurement {
  loadMs: number;
  rssMB: number;
  prefillTokPerSec: number;
  ttftMs: number;
  decodeTokPerSec: number;
}

const rssMB = () => process.memoryUsage.rss() / 2 ** 20;

async function infiniset(path: string): Promise<Measurement> {
  const started = performance.now();
  const { model, tokenizer } = loadGgufModel(path);
  const loadMs = performance.now() - started;
  const rss = rssMB();
  const prompt = tokenizer.encode(TEXT).slice(0, PROMPT_TOKENS);
  // A warm-up run compiles the prefill and decode programs (cached on disk by the native target).
  const warm = new GenerationSession(model, tokenizer, CONTEXT);
  warm.generate(prompt, { maxTokens: 3, sampler: { temperature: 0 }, stopAtEnd: false });
  const session = new GenerationSession(model, tokenizer, CONTEXT);
  const { stats } = session.generate(prompt, {
    maxTokens: DECODE_TOKENS + 1,
    sampler: { temperature: 0 },
    stopAtEnd: false,
  });
  return {
    loadMs,
    rssMB: rss,
    prefillTokPerSec: (PROMPT_TOKENS / stats.prefillMs) * 1000,
    ttftMs: stats.firstTokenMs,
    // The first generated token comes from the prefill's logits.
    decodeTokPerSec: ((stats.generatedTokens - 1) / stats.decodeMs) * 1000,
  };
}

async function llamaCpp(path: string, threads: number): Promise<Measurement> {
  const llama = await loadLlamaCpp((m) => process.stderr.write(`${m}\n`));
  if (!llama) throw new Error("node-llama-cpp is not installed (bench/setup.sh)");
  const started = performance.now();
  const model = await llama.loadModel({ modelPath: path });
  const loadMs = performance.now() - started;
  const context = await model.createContext({ contextSize: CONTEXT, threads, batchSize: PROMPT_TOKENS });
  const rss = rssMB();
  const prompt = [...model.tokenize(TEXT, false)].slice(0, PROMPT_TOKENS - 1);
  const bos = model.tokens.bos;
  const ids = (bos === null ? prompt : [bos, ...prompt]) as Token[];
  const run = async (sequence: ReturnType<typeof context.getSequence>) => {
    const t0 = performance.now();
    let first = 0;
    let count = 0;
    let decodeStart = 0;
    for await (const _token of sequence.evaluate(ids, { temperature: 0 })) {
      count++;
      if (count === 1) {
        first = performance.now() - t0;
        decodeStart = performance.now();
      }
      if (count > DECODE_TOKENS) break;
    }
    return { first, decodeMs: performance.now() - decodeStart, count };
  };
  // Warm-up, then measure on a fresh sequence; prefill alone is timed separately.
  const warm = context.getSequence();
  await run(warm);
  warm.dispose();
  const prefillSequence = context.getSequence();
  const p0 = performance.now();
  await prefillSequence.evaluateWithoutGeneratingNewTokens(ids);
  const prefillMs = performance.now() - p0;
  prefillSequence.dispose();
  const sequence = context.getSequence();
  const { first, decodeMs, count } = await run(sequence);
  return {
    loadMs,
    rssMB: rss,
    prefillTokPerSec: (ids.length / prefillMs) * 1000,
    ttftMs: first,
    decodeTokPerSec: ((count - 1) / decodeMs) * 1000,
  };
}

const [impl, path, threads] = process.argv.slice(2);
const measure = impl === "llama.cpp" ? llamaCpp(path!, Number(threads)) : infiniset(path!);
measure.then(
  (m) => {
    process.stdout.write(`${JSON.stringify(m)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
