// serve: `infiniset serve` under concurrent clients (continuous batching).
//
//   npm run bench -- serve [--model 110m|15m|FILE.gguf|CHECKPOINT] [--clients 1,8,64]
//                          [--parallel 16] [--ctx 256] [--max-tokens 32] [--requests 2]
//                          [--repeat 2] [--json]
//
// The server runs as its own process (the CLI, as a user starts it); each client streams
// chat completions one after another (64 clients: one request each) and records the time to
// its first content chunk. One record per client count: generated tokens per second over
// the round, TTFT p50/p99 and errors (non-200 answers and error events). Rounds of each
// client count alternate `--repeat` times (64 clients: once) and the best one is reported,
// since the machine is shared. A first round, not recorded, compiles what warm-up left.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type TestModelName, testModelPath } from "../../dist/test/fixtures/test-models.js";
import { type Bench, type BenchRecord, fmt, formatTable } from "./report.js";

const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
}

function startServer(
  model: string,
  flags: string[],
  log: (m: string) => void,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, "serve", model, "--port", "0", ...flags], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  let started = false;
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (data: Buffer) => {
      stderr += data.toString();
      const url = /listening on (http:\/\/\S+);/.exec(stderr)?.[1];
      const ready = /ready: [^\n]*/.exec(stderr)?.[0];
      if (url && ready && !started) {
        started = true;
        log(ready);
        resolve({ url, child });
      }
    });
    child.on("exit", (code) => reject(new Error(`serve exited (${code}): ${stderr.trim()}`)));
  });
}

interface RequestResult {
  ttftMs: number;
  tokens: number;
  error: boolean;
}

/** One streamed chat completion; tokens from the usage chunk. */
async function streamOnce(
  url: string,
  model: string,
  prompt: string,
  maxTokens: number,
): Promise<RequestResult> {
  const start = performance.now();
  let ttftMs = Number.NaN;
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model,
        messages: [{ role: "user", content: prompt }],
        max_tokens: maxTokens,
        temperature: 0.8,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    if (response.status !== 200) {
      await response.text();
      return { ttftMs, tokens: 0, error: true };
    }
    const decoder = new TextDecoder();
    let buffered = "";
    let tokens = 0;
    let error = false;
    for await (const part of response.body!) {
      buffered += decoder.decode(part, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end >= 0) {
        const data = buffered.slice("data: ".length, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf("\n\n");
        if (data === "[DONE]") continue;
        const event = JSON.parse(data);
        if (event.error) error = true;
        if (event.usage) tokens = event.usage.completion_tokens;
        if (Number.isNaN(ttftMs) && event.choices?.[0]?.delta?.content) ttftMs = performance.now() - start;
      }
    }
    return { ttftMs, tokens, error };
  } catch {
    return { ttftMs, tokens: 0, error: true };
  }
}

function percentile(values: number[], p: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const PROMPTS = [
  "Tell me about the white whale.",
  "Where does the Pequod sail?",
  "Who is Captain Ahab?",
  "Describe the sea at night.",
];

async function round(url: string, model: string, clients: number, requests: number, maxTokens: number) {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const mine: RequestResult[] = [];
      for (let r = 0; r < requests; r++) {
        mine.push(await streamOnce(url, model, `${PROMPTS[(c + r) % PROMPTS.length]} (${c})`, maxTokens));
      }
      return mine;
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { seconds, results: results.flat() };
}

export const serve: Bench = {
  name: "serve",
  description: "infiniset serve under 1…64 concurrent streaming clients: tokens/s, TTFT p50/p99, errors",
  async run(context) {
    const modelArg = option(context.args, "--model") ?? "110m";
    const path = existsSync(modelArg) ? modelArg : testModelPath(modelArg as TestModelName, "F32");
    const clientCounts = (option(context.args, "--clients") ?? "1,8,64").split(",").map(Number);
    const parallel = Number(option(context.args, "--parallel") ?? 16);
    const ctx = option(context.args, "--ctx") ?? "256";
    const maxTokens = Number(option(context.args, "--max-tokens") ?? 32);
    const requests = Number(option(context.args, "--requests") ?? 2);
    const repeat = Number(option(context.args, "--repeat") ?? 2);
    const { url, child } = await startServer(
      path,
      ["--parallel", String(parallel), "--ctx", ctx, "--max-queue", "256"],
      context.log,
    );
    try {
      const model = ((await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!
        .id;
      context.log(`warm-up: ${parallel} clients`);
      await round(url, model, parallel, 1, maxTokens);
      // The machine is shared: rounds of each size alternate, and the best round of each counts.
      const best = new Map<number, { seconds: number; results: RequestResult[]; tokens: number }>();
      for (let r = 0; r < repeat; r++) {
        for (const clients of clientCounts) {
          if (clients >= 64 && r < repeat - 1) continue;
          context.log(`${clients} client(s), round ${r + 1}…`);
          const perClient = clients >= 64 ? 1 : requests;
          const { seconds, results } = await round(url, model, clients, perClient, maxTokens);
          const tokens = results.reduce((sum, x) => sum + x.tokens, 0);
          const previous = best.get(clients);
          if (!previous || tokens / seconds > previous.tokens / previous.seconds) {
            best.set(clients, { seconds, results, tokens });
          }
        }
      }
      let single: number | undefined;
      for (const clients of clientCounts) {
        const { seconds, results, tokens } = best.get(clients)!;
        const aggregate = tokens / seconds;
        if (clients === 1) single = aggregate;
        const record: BenchRecord = {
          bench: "serve",
          impl: "infiniset",
          model,
          clients,
          parallel,
          requests: results.length,
          tokens,
          aggregateTokPerSec: aggregate,
          vsOneClient: single === undefined ? null : aggregate / single,
          ttftP50Ms: percentile(
            results.map((r) => r.ttftMs),
            50,
          ),
          ttftP99Ms: percentile(
            results.map((r) => r.ttftMs),
            99,
          ),
          errors: results.filter((r) => r.error).length,
        };
        context.emit(record);
      }
    } finally {
      child.kill("SIGTERM");
    }
  },
  render(records) {
    return formatTable(
      [
        "model",
        "clients",
        "slots",
        "requests",
        "tokens",
        "tok/s",
        "× 1 client",
        "TTFT p50 ms",
        "TTFT p99 ms",
        "errors",
      ],
      records.map((r) => [
        String(r.model),
        String(r.clients),
        String(r.parallel),
        String(r.requests),
        String(r.tokens),
        fmt(r.aggregateTokPerSec as number),
        r.vsOneClient === null ? "—" : fmt(r.vsOneClient as number, 2),
        fmt(r.ttftP50Ms as number),
        fmt(r.ttftP99Ms as number),
        String(r.errors),
      ]),
    );
  },
};
