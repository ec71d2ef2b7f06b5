// The OpenAI-compatible HTTP API as a Hono app: it runs under Node (server.ts) and could
// equally answer fetch events elsewhere. Routes validate their bodies, turn them into
// generation requests for the scheduler, and answer as OpenAI does: JSON, or server-sent
// events where `stream` is set.
import { randomUUID } from "node:crypto";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { constantTimeKeyCheck } from "./api-keys.js";
import type { BatchEngine } from "./batch-engine.js";
import type { ChatMessage } from "./engine.js";
import type { FinishReason, GenerationParams, TokenLogprob } from "./generation.js";
import type { ServeMetrics } from "./metrics.js";
import { ApiError, fromZodError, invalidRequest } from "./openai-errors.js";
import {
  chatChunk,
  chatCompletion,
  chatLogprobs,
  completionLogprobs,
  type ResponseHeader,
  textChunk,
  textCompletion,
  usage,
  usageChunk,
} from "./openai-responses.js";
import {
  type ChatRequest,
  type CompletionRequest,
  chatRequest,
  completionRequest,
  detokenizeRequest,
  embeddingRequest,
  tokenizeRequest,
} from "./openai-schemas.js";
import {
  QueueFullError,
  RequestCancelledError,
  RequestTimeoutError,
  type Scheduler,
  ServerDrainingError,
} from "./scheduler.js";

export interface ServeAppOptions {
  /** With keys, every route but /health needs `Authorization: Bearer KEY`. */
  apiKeys?: readonly string[];
  /** An origin allowed to call the API from a browser ("*" for any). */
  cors?: string;
  /** Serve /metrics. */
  metrics?: boolean;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** A request still unfinished after this many seconds fails. */
  timeoutSeconds?: number;
}

/** What the routes need once the model is loaded. */
export interface ServeState {
  engine: BatchEngine;
  scheduler: Scheduler;
  metrics: ServeMetrics;
  /** Seconds since the epoch when the model was loaded. */
  created: number;
}

export interface ServeApp {
  readonly app: Hono;
  /** Switches /health to 200 and opens the API. */
  setReady(state: ServeState): void;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const COMPLETION_DEFAULT_MAX_TOKENS = 16;
const encoder = new TextEncoder();

function errorResponse(c: Context, error: ApiError): Response {
  if (error.retryAfter !== undefined) c.header("Retry-After", String(error.retryAfter));
  return c.json(error.body, error.status as ContentfulStatusCode);
}

/** A scheduler or engine failure as the API error it stands for. */
function apiErrorOf(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof QueueFullError) {
    return new ApiError(503, `${error.message}; try again shortly`, "server_busy", "queue_full", null, 1);
  }
  if (error instanceof ServerDrainingError) {
    return new ApiError(503, error.message, "unavailable_error", "shutting_down", null, 5);
  }
  if (error instanceof RequestTimeoutError)
    return new ApiError(408, error.message, "timeout_error", "timeout");
  return new ApiError(500, (error as Error).message ?? String(error), "server_error", "internal_error");
}

async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. The body must be a JSON object (Content-Type: application/json).",
      null,
      "invalid_json",
    );
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw invalidRequest("The request body must be a JSON object.", null, "invalid_json");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

function checkModel(state: ServeState, model: string): void {
  const id = state.engine.served.id;
  if (model !== id) {
    throw new ApiError(
      404,
      `The model '${model}' does not exist; this server serves '${id}'.`,
      "invalid_request_error",
      "model_not_found",
      "model",
    );
  }
}

function checkTokens(state: ServeState, ids: readonly number[], param: string): void {
  const vocab = state.engine.served.tokenizer.vocabSize;
  const bad = ids.find((id) => id >= vocab);
  if (bad !== undefined) throw invalidRequest(`Token ${bad} is outside the vocabulary [0, ${vocab}).`, param);
}

function encode(state: ServeState, text: string, param: string): number[] {
  try {
    return state.engine.served.tokenizer.encode(text);
  } catch (error) {
    throw invalidRequest(`The ${param} cannot be tokenized: ${(error as Error).message}`, param);
  }
}

type SamplingFields = CompletionRequest | ChatRequest;

/** Generation parameters from a request; max tokens capped by what the context has left. */
function generationParams(
  state: ServeState,
  body: SamplingFields,
  promptLength: number,
  requestedMax: number | null | undefined,
  defaultMax: number,
  logprobs: number | undefined,
): GenerationParams {
  const { contextLength } = state.engine;
  if (promptLength >= contextLength) {
    throw invalidRequest(
      `This model's maximum context length is ${contextLength} tokens. However, your prompt has ${promptLength} tokens, which leaves no room for a reply.`,
      "messages" in body ? "messages" : "prompt",
      "context_length_exceeded",
    );
  }
  let logitBias: Map<number, number> | undefined;
  if (body.logit_bias) {
    logitBias = new Map(Object.entries(body.logit_bias).map(([id, bias]) => [Number(id), bias]));
    checkTokens(state, [...logitBias.keys()], "logit_bias");
  }
  const stop =
    body.stop === undefined || body.stop === null
      ? []
      : typeof body.stop === "string"
        ? [body.stop]
        : body.stop;
  return {
    maxTokens: Math.min(requestedMax ?? defaultMax, contextLength - promptLength),
    sampler: {
      temperature: body.temperature ?? 1,
      ...(body.top_k ? { topK: body.top_k } : {}),
      ...(body.top_p !== undefined && body.top_p !== null ? { topP: body.top_p } : {}),
      ...(body.min_p ? { minP: body.min_p } : {}),
      ...(body.presence_penalty ? { presencePenalty: body.presence_penalty } : {}),
      ...(body.frequency_penalty ? { frequencyPenalty: body.frequency_penalty } : {}),
      ...(logitBias ? { logitBias } : {}),
    },
    seed: body.seed ?? Math.floor(Math.random() * 2 ** 32),
    stop,
    logprobs,
  };
}

interface GenerationPlan {
  kind: "chat" | "text";
  promptIds: number[];
  params: GenerationParams;
  n: number;
  stream: boolean;
  includeUsage: boolean;
  /** Text sent before the generated text (completions' echo). */
  echo: string;
}

interface ChoiceResult {
  text: string;
  tokens: TokenLogprob[];
  finishReason: FinishReason;
}

/** The server's routes over one engine. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: each route is a short handler closed over the app's state (engine, keys, metrics, the plans of requests in flight), registered in order on one router
export function createServeApp(options: ServeAppOptions = {}): ServeApp {
  const app = new Hono();
  let state: ServeState | undefined;
  const keys = options.apiKeys ?? [];
  const timeoutMs = options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000;

  const ready = (): ServeState => {
    if (!state) throw new ApiError(503, "Loading model", "unavailable_error", "model_loading", null, 1);
    return state;
  };

  app.onError((error, c) => errorResponse(c, apiErrorOf(error)));
  app.notFound((c) =>
    errorResponse(
      c,
      new ApiError(
        404,
        `Unknown request URL: ${c.req.method} ${c.req.path}. Please check the URL for typos.`,
        "invalid_request_error",
        "unknown_url",
      ),
    ),
  );

  app.use("*", async (c, next) => {
    await next();
    state?.metrics.requests.inc({ route: c.req.routePath, status: String(c.res.status) });
  });
  if (options.cors) app.use("*", cors({ origin: options.cors }));
  if (keys.length > 0) {
    const check = constantTimeKeyCheck(keys);
    app.use("*", async (c, next) => {
      if (c.req.path === "/health" || c.req.method === "OPTIONS") return next();
      const header = c.req.header("authorization") ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !check(match[1]!.trim())) {
        return errorResponse(
          c,
          new ApiError(
            401,
            match
              ? "Incorrect API key provided."
              : "You didn't provide an API key: send 'Authorization: Bearer KEY'.",
            "invalid_request_error",
            "invalid_api_key",
          ),
        );
      }
      return next();
    });
  }
  app.use(
    "*",
    bodyLimit({
      maxSize: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
      onError: (c) =>
        errorResponse(
          c,
          new ApiError(
            413,
            `The request body is larger than ${options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT} bytes.`,
            "invalid_request_error",
            "request_too_large",
          ),
        ),
    }),
  );

  app.get("/health", (c) => {
    ready();
    return c.json({ status: "ok" });
  });

  app.get("/metrics", async (c) => {
    if (!options.metrics) {
      throw new ApiError(
        404,
        "Metrics are off; start the server with --metrics.",
        "invalid_request_error",
        "unknown_url",
      );
    }
    const registry = ready().metrics.registry;
    return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
  });

  const modelObject = (s: ServeState) => ({
    id: s.engine.served.id,
    object: "model",
    created: s.created,
    owned_by: "infiniset",
    meta: { context_length: s.engine.contextLength, vocab_size: s.engine.served.tokenizer.vocabSize },
  });
  app.get("/v1/models", (c) => c.json({ object: "list", data: [modelObject(ready())] }));
  app.get("/v1/models/:model", (c) => {
    const s = ready();
    checkModel(s, c.req.param("model"));
    return c.json(modelObject(s));
  });

  app.post("/tokenize", async (c) => {
    const s = ready();
    const body = await readBody(c, tokenizeRequest);
    const ids = encode(s, body.content, "content");
    const tokenizer = s.engine.served.tokenizer;
    return c.json({
      tokens: body.with_pieces ? ids.map((id) => ({ id, piece: tokenizer.decode([id]) })) : ids,
    });
  });

  app.post("/detokenize", async (c) => {
    const s = ready();
    const body = await readBody(c, detokenizeRequest);
    checkTokens(s, body.tokens, "tokens");
    return c.json({ content: s.engine.served.tokenizer.decode(body.tokens) });
  });

  app.post("/v1/embeddings", async (c) => {
    const s = ready();
    const body = await readBody(c, embeddingRequest);
    checkModel(s, body.model);
    const input = body.input;
    const lists: number[][] =
      typeof input === "string"
        ? [encode(s, input, "input")]
        : typeof input[0] === "string"
          ? (input as string[]).map((text) => encode(s, text, "input"))
          : typeof input[0] === "number"
            ? [input as number[]]
            : (input as number[][]);
    lists.forEach((ids) => {
      checkTokens(s, ids, "input");
      if (ids.length === 0) throw invalidRequest("An input has no tokens.", "input");
      if (ids.length > s.engine.contextLength) {
        throw invalidRequest(
          `An input has ${ids.length} tokens; this model's maximum context length is ${s.engine.contextLength}.`,
          "input",
          "context_length_exceeded",
        );
      }
    });
    const vectors: Float32Array[] = [];
    for (const ids of lists) vectors.push(await s.scheduler.embed(ids));
    const base64 = body.encoding_format === "base64";
    const total = lists.reduce((sum, ids) => sum + ids.length, 0);
    return c.json({
      object: "list",
      data: vectors.map((v, index) => ({
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64") : [...v],
      })),
      model: s.engine.served.id,
      usage: { prompt_tokens: total, total_tokens: total },
    });
  });

  app.post("/v1/completions", async (c) => {
    const s = ready();
    const body = await readBody(c, completionRequest);
    checkModel(s, body.model);
    if (body.best_of !== undefined && body.best_of !== null && body.best_of !== (body.n ?? 1)) {
      throw invalidRequest("best_of other than n is not supported.", "best_of");
    }
    if (body.echo && body.logprobs !== undefined && body.logprobs !== null) {
      throw invalidRequest("echo with logprobs is not supported.", "echo");
    }
    const prompt = body.prompt;
    let promptIds: number[];
    let promptText: string;
    if (typeof prompt === "string" || typeof prompt[0] === "string") {
      promptText = typeof prompt === "string" ? prompt : (prompt[0] as string);
      promptIds = encode(s, promptText, "prompt");
    } else {
      promptIds = prompt as number[];
      checkTokens(s, promptIds, "prompt");
      promptText = s.engine.served.tokenizer.decode(promptIds);
    }
    if (promptIds.length === 0)
      throw invalidRequest("The prompt is empty: it has no tokens to continue.", "prompt");
    const logprobs = body.logprobs ?? undefined;
    const params = generationParams(
      s,
      body,
      promptIds.length,
      body.max_tokens,
      COMPLETION_DEFAULT_MAX_TOKENS,
      logprobs,
    );
    return generate(c, s, {
      kind: "text",
      promptIds,
      params,
      n: body.n ?? 1,
      stream: body.stream ?? false,
      includeUsage: body.stream_options?.include_usage ?? false,
      echo: body.echo ? promptText : "",
    });
  });

  app.post("/v1/chat/completions", async (c) => {
    const s = ready();
    const body = await readBody(c, chatRequest);
    checkModel(s, body.model);
    const messages: ChatMessage[] = body.messages.map((m) => ({
      role: m.role,
      content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
    }));
    let promptIds: number[];
    try {
      promptIds = s.engine.served.encodeChat(messages);
    } catch (error) {
      throw invalidRequest(`The messages cannot be tokenized: ${(error as Error).message}`, "messages");
    }
    if (promptIds.length === 0) throw invalidRequest("The conversation has no tokens.", "messages");
    const logprobs = body.logprobs ? (body.top_logprobs ?? 0) : undefined;
    const params = generationParams(
      s,
      body,
      promptIds.length,
      body.max_completion_tokens ?? body.max_tokens,
      s.engine.contextLength,
      logprobs,
    );
    return generate(c, s, {
      kind: "chat",
      promptIds,
      params,
      n: body.n ?? 1,
      stream: body.stream ?? false,
      includeUsage: body.stream_options?.include_usage ?? false,
      echo: "",
    });
  });

  /** Runs a generation and answers with one JSON body or a stream of events. */
  function generate(c: Context, s: ServeState, plan: GenerationPlan): Response | Promise<Response> {
    if (plan.n > s.engine.slots) {
      throw invalidRequest(`n = ${plan.n} is more than this server's ${s.engine.slots} slots.`, "n");
    }
    const header: ResponseHeader = {
      id: `${plan.kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: s.engine.served.id,
    };
    const tokenizer = s.engine.served.tokenizer;
    const logprobsOf = (tokens: TokenLogprob[], offset: number) =>
      plan.params.logprobs === undefined
        ? null
        : plan.kind === "chat"
          ? chatLogprobs(tokenizer, tokens)
          : completionLogprobs(tokenizer, tokens, offset);
    // Aborted when the client goes away, which frees the request's slots before the next step.
    const abort = new AbortController();
    const clientSignal = c.req.raw.signal;
    const onClientGone = () => abort.abort();
    clientSignal.addEventListener("abort", onClientGone, { once: true });
    const request = {
      promptIds: plan.promptIds,
      n: plan.n,
      params: plan.params,
      signal: abort.signal,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    };

    if (!plan.stream) {
      const results: ChoiceResult[] = Array.from({ length: plan.n }, () => ({
        text: plan.echo,
        tokens: [],
        finishReason: "stop",
      }));
      const done = s.scheduler.generate({
        ...request,
        onDelta: (i, delta) => {
          results[i]!.text += delta.text;
          results[i]!.tokens.push(...delta.tokens);
        },
        onFinish: (i, reason) => {
          results[i]!.finishReason = reason;
        },
      });
      return done
        .then((u) => {
          const choices = results.map((r) => ({ ...r, logprobs: logprobsOf(r.tokens, 0) }));
          const total = usage(u.promptTokens, u.completionTokens);
          return c.json(
            plan.kind === "chat"
              ? chatCompletion(header, choices, total)
              : textCompletion(header, choices, total),
          );
        })
        .catch((error) => {
          if (error instanceof RequestCancelledError) return c.body(null, 499 as ContentfulStatusCode);
          return errorResponse(c, apiErrorOf(error));
        })
        .finally(() => clientSignal.removeEventListener("abort", onClientGone));
    }

    // A stream: each event is enqueued whole, so a stream that stops early (client gone,
    // shutdown) never ends in the middle of an event.
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let open = true;
    const body = new ReadableStream<Uint8Array>({
      start: (ctrl) => {
        controller = ctrl;
      },
      cancel: () => {
        open = false;
        abort.abort();
      },
    });
    const send = (data: unknown) => {
      if (open)
        controller.enqueue(
          encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`),
        );
    };
    const close = () => {
      if (open) controller.close();
      open = false;
      clientSignal.removeEventListener("abort", onClientGone);
    };
    const offsets = new Array<number>(plan.n).fill(plan.echo.length);
    const chunk = (i: number, text: string, finish: FinishReason | null, tokens: TokenLogprob[]) => {
      const logprobs = logprobsOf(tokens, offsets[i]!);
      offsets[i]! += text.length;
      return plan.kind === "chat"
        ? chatChunk(header, i, finish ? {} : { content: text }, finish, logprobs, plan.includeUsage)
        : textChunk(header, i, text, finish, logprobs, plan.includeUsage);
    };
    for (let i = 0; i < plan.n; i++) {
      if (plan.kind === "chat")
        send(chatChunk(header, i, { role: "assistant", content: "" }, null, null, plan.includeUsage));
      else if (plan.echo) send(chunk(i, plan.echo, null, []));
    }
    const done = s.scheduler.generate({
      ...request,
      onDelta: (i, delta) => send(chunk(i, delta.text, null, delta.tokens)),
      onFinish: (i, reason) => send(chunk(i, "", reason, [])),
    });
    done
      .then((u) => {
        if (plan.includeUsage) {
          send(
            usageChunk(
              header,
              plan.kind === "chat" ? "chat.completion.chunk" : "text_completion",
              usage(u.promptTokens, u.completionTokens),
            ),
          );
        }
        send("[DONE]");
      })
      .catch((error) => {
        if (!(error instanceof RequestCancelledError)) send(apiErrorOf(error).body);
      })
      .finally(close);
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      },
    });
  }

  return {
    app,
    setReady: (s) => {
      state = s;
    },
  };
}
