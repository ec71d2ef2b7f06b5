import { readFileSync, statSync } from "node:fs";
import { Command } from "commander";
import { loadServedModel } from "../../serve/load-model.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { reportError } from "../report-error.js";

interface ServeFlags {
  host: string;
  port: number;
  parallel: number;
  ctx?: number;
  apiKey: string[];
  apiKeyFile?: string;
  metrics: boolean;
  cors?: string;
  maxQueue: number;
  timeout?: number;
  prefillChunk: number;
}

/** Keys from --api-key and --api-key-file (one per line; blank lines and # comments skipped). */
function apiKeys(flags: ServeFlags): string[] {
  const keys = [...flags.apiKey];
  if (flags.apiKeyFile !== undefined) {
    const lines = readFileSync(flags.apiKeyFile, "utf8").split(/\r?\n/);
    keys.push(...lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
    if (keys.length === 0) throw new Error(`${flags.apiKeyFile} holds no API key`);
  }
  return keys;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function serveCommand(): Command {
  return new Command("serve")
    .description(
      "serve a model over an OpenAI-compatible HTTP API (completions, chat, embeddings, streaming, continuous batching)",
    )
    .argument("<model>", "a GPT checkpoint (run directory or step folder) or a GGUF file")
    .option("--host <address>", "address to listen on (loopback by default)", "127.0.0.1")
    .option("--port <n>", "port to listen on", integerInRange(0, 65535), 8080)
    .option("--parallel <n>", "sequences decoded together (slots)", integerInRange(1, 256), 4)
    .option(
      "--ctx <n>",
      "positions per sequence (default: the model's context length)",
      integerInRange(2, 1 << 20),
    )
    .option("--api-key <key>", "require this key as 'Authorization: Bearer KEY' (repeatable)", collect, [])
    .option("--api-key-file <file>", "require one of the keys in this file (one per line)")
    .option("--metrics", "serve Prometheus metrics at /metrics", false)
    .option("--cors <origin>", "allow browsers from this origin ('*' for any)")
    .option(
      "--max-queue <n>",
      "requests that may wait for a slot; more get 503",
      integerInRange(0, 1_000_000),
      64,
    )
    .option(
      "--timeout <seconds>",
      "fail requests that take longer than this",
      numberInRange(0.001, 31_536_000),
    )
    .option("--prefill-chunk <n>", "prompt tokens fed per step at most", integerInRange(1, 1 << 20), 64)
    .action(async (model: string, flags: ServeFlags) => {
      statSync(model); // a clear error for a path that does not exist
      const log = (line: string) => process.stderr.write(`infiniset serve: ${line}\n`);
      // The HTTP stack (Hono, zod, prom-client) is loaded only by the command that serves.
      const { startServer } = await import("../../serve/server.js");
      const server = await startServer({
        host: flags.host,
        port: flags.port,
        load: () => loadServedModel(model),
        slots: flags.parallel,
        ...(flags.ctx === undefined ? {} : { contextLength: flags.ctx }),
        prefillChunk: flags.prefillChunk,
        maxQueue: flags.maxQueue,
        apiKeys: apiKeys(flags),
        metrics: flags.metrics,
        ...(flags.cors === undefined ? {} : { cors: flags.cors }),
        ...(flags.timeout === undefined ? {} : { timeoutSeconds: flags.timeout }),
      });
      log(`listening on ${server.url}; loading ${model}`);
      // SIGTERM or Ctrl-C: finish what was accepted, then exit; a second one stops at once.
      let signals = 0;
      const stop = (signal: string) => {
        signals++;
        if (signals === 1) {
          log(`${signal}: finishing the requests in progress (again to stop now)`);
          void server.close().then(() => process.exit(0));
        } else {
          log(`${signal}: stopping now`);
          void server.abort().then(() => process.exit(0));
        }
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
      try {
        const status = await server.ready;
        const mib = (status.cacheBytes / 2 ** 20).toFixed(1);
        log(
          `ready: model "${status.model}", ${status.slots} slots of ${status.contextLength} positions (KV cache ${mib} MiB)`,
        );
      } catch (error) {
        reportError(error);
        await server.close();
        process.exit(1);
      }
    });
}
