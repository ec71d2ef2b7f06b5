// decode: running GGUF models, infiniset (native and wasm targets) against llama.cpp.
//
//   npm run bench -- decode [--models 15m,110m] [--types F32,Q8_0,...] [--threads-list 1,2]
//                           [--impls native,wasm,llama.cpp] [--json]
//
// One record per model × type × implementation × threads: decode tokens per second (64
// greedy tokens after a 128-token prompt), prefill tokens per second, time to first token
// and resident memory after load, each measured in a fresh process (decode-run.ts). The
// memory-bandwidth bound is the machine's read bandwidth divided by the bytes of weights a
// token reads (the file's tensors, less the embedding rows a token does not use unless
// the output head shares them); the fraction of it each implementation reaches is printed.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { GgufFile } from "../../dist/src/formats/gguf/gguf-file.js";
import type { QuantType } from "../../dist/src/quant/index.js";
import { type TestModelName, testModelPath } from "../../dist/test/fixtures/test-models.js";
import { memoryReadBandwidth } from "./memory-bandwidth.js";
import { type Bench, type BenchRecord, fmt, formatTable } from "./report.js";

const RUNNER = fileURLToPath(new URL("./decode-run.js", import.meta.url));

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

/** Bytes of weights one decoded token reads. */
function bytesPerToken(path: string): number {
  const file = GgufFile.open(path);
  try {
    const tied = !file.hasTensor("output.weight");
    return file.tensors.reduce((total, t) => {
      // A token reads one embedding row, unless the head reads the whole matrix.
      if (t.name === "token_embd.weight" && !tied) return total + t.byteLength / t.shape[0]!;
      return total + t.byteLength;
    }, 0);
  } finally {
    file.close();
  }
}

function runOnce(impl: string, path: string, threads: number): Promise<Record<string, number>> {
  const target = impl === "llama.cpp" ? {} : { INFINISET_TARGET: impl, INFINISET_THREADS: String(threads) };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, impl === "llama.cpp" ? "llama.cpp" : "infiniset", path, String(threads)],
      { env: { ...process.env, ...target }, timeout: 20 * 60_000, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${impl} on ${path}: ${stderr.trim() || error.message}`));
        else resolve(JSON.parse(stdout.trim().split("\n").pop()!));
      },
    );
  });
}

export const decode: Bench = {
  name: "decode",
  description: "GGUF models: decode and prefill tokens/s, time to first token, memory; vs llama.cpp",
  async run(context) {
    const models = (option(context.args, "--models") ?? "15m,110m").split(",") as TestModelName[];
    const types = (option(context.args, "--types") ?? "F32,F16,Q8_0,Q4_0,Q4_K")
      .split(",")
      .map((t) => t.toUpperCase()) as QuantType[];
    const impls = (option(context.args, "--impls") ?? "native,wasm,llama.cpp").split(",");
    const threadsList = (option(context.args, "--threads-list") ?? "1,2").split(",").map(Number);
    const bandwidth = memoryReadBandwidth();
    context.log(`memory read bandwidth ${bandwidth.toFixed(1)} GB/s`);
    for (const model of models) {
      for (const quant of types) {
        const path = testModelPath(model, quant);
        const bytes = bytesPerToken(path);
        const bound = (bandwidth * 1e9) / bytes;
        for (const impl of impls) {
          for (const threads of threadsList) {
            context.log(`${model} ${quant} ${impl} ${threads} thread(s)…`);
            try {
              const m = await runOnce(impl, path, threads);
              const record: BenchRecord = {
                bench: "decode",
                impl: impl === "llama.cpp" ? "llama.cpp" : `infiniset-${impl}`,
                model,
                quant,
                threads,
                decodeTokPerSec: m.decodeTokPerSec,
                prefillTokPerSec: m.prefillTokPerSec,
                ttftMs: m.ttftMs,
                rssMB: m.rssMB,
                fileMB: bytes / 2 ** 20,
                boundTokPerSec: bound,
                fractionOfBound: m.decodeTokPerSec! / bound,
              };
              context.emit(record);
            } catch (error) {
              context.log((error as Error).message);
            }
          }
        }
      }
    }
  },
  render(records) {
    const best = new Map<string, number>();
    for (const r of records) {
      if (r.impl !== "llama.cpp") continue;
      const key = `${r.model} ${r.quant}`;
      best.set(key, Math.max(best.get(key) ?? 0, r.decodeTokPerSec as number));
    }
    return formatTable(
      [
        "model",
        "type",
        "impl",
        "threads",
        "decode tok/s",
        "÷ llama.cpp best",
        "prefill tok/s",
        "TTFT ms",
        "RSS MB",
        "bound tok/s",
        "of bound",
      ],
      records.map((r) => [
        String(r.model),
        String(r.quant),
        r.impl,
        String(r.threads),
        fmt(r.decodeTokPerSec as number),
        fmt((r.decodeTokPerSec as number) / (best.get(`${r.model} ${r.quant}`) ?? Number.NaN), 2),
        fmt(r.prefillTokPerSec as number),
        fmt(r.ttftMs as number),
        fmt(r.rssMB as number),
        fmt(r.boundTokPerSec as number),
        `${((r.fractionOfBound as number) * 100).toFixed(0)}%`,
      ]),
    );
  },
};
