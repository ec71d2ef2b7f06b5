// The server under Node: listen first (so /health answers 503 while the model loads),
// then load the model, warm up, and open the API. Closing drains: no new requests, the
// ones accepted finish, then the connections close.
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createServeApp, type ServeAppOptions } from "./app.js";
import { BatchEngine } from "./batch-engine.js";
import type { ServedModel } from "./engine.js";
import { createServeMetrics } from "./metrics.js";
import { Scheduler, ServerDrainingError } from "./scheduler.js";

export interface StartServerOptions extends ServeAppOptions {
  /** Address to listen on (default 127.0.0.1: loopback only). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Loads the model; the server answers /health with 503 until it is done. */
  load: () => ServedModel | Promise<ServedModel>;
  /** Sequences decoded together (default 4). */
  slots?: number;
  /** Positions per sequence (default: the model's context length). */
  contextLength?: number;
  /** Prompt tokens fed per step at most (default 64). */
  prefillChunk?: number;
  /** Requests that may wait for a slot (default 64). */
  maxQueue?: number;
}

export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  /** Resolves when the model is loaded and the API open; rejects if loading fails. */
  readonly ready: Promise<ServeStatus>;
  /** Drains: refuses new requests, lets accepted ones finish, then closes. */
  close(): Promise<void>;
  /** Ends running requests now (streams get an error event), then closes. */
  abort(): Promise<void>;
}

export interface ServeStatus {
  model: string;
  slots: number;
  contextLength: number;
  cacheBytes: number;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { app, setReady } = createServeApp(options);
  const host = options.host ?? "127.0.0.1";
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8080 }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  let scheduler: Scheduler | undefined;

  const ready = (async (): Promise<ServeStatus> => {
    // Let the server answer (503) before the synchronous parts of loading start.
    await nextTurn();
    const served = await options.load();
    await nextTurn();
    const engine = new BatchEngine(served, {
      slots: options.slots ?? 4,
      ...(options.contextLength === undefined ? {} : { contextLength: options.contextLength }),
      prefillChunk: options.prefillChunk ?? 64,
    });
    // Compile the decoding programs before the first request.
    engine.warmUp();
    const metrics = createServeMetrics(engine.slots);
    scheduler = new Scheduler(engine, { maxQueue: options.maxQueue ?? 64 }, metrics);
    setReady({ engine, scheduler, metrics, created: Math.floor(Date.now() / 1000) });
    return {
      model: served.id,
      slots: engine.slots,
      contextLength: engine.contextLength,
      cacheBytes: engine.cacheBytes,
    };
  })();
  ready.catch(() => {});

  const closeServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive connections would hold close() open.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
    });
  let closing: Promise<void> | undefined;
  const running: RunningServer = {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    ready,
    close() {
      closing ??= (async () => {
        const stopped = closeServer();
        await scheduler?.drain();
        await stopped;
      })();
      return closing;
    },
    async abort() {
      scheduler?.abortAll(new ServerDrainingError("the server is shutting down"));
      await running.close();
    },
  };
  return running;
}
