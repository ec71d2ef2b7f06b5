// The HTTP protocol byte for byte: server-sent events, errors and their statuses, keys,
// body limits, health while loading, metrics and the tokenizer endpoints.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { test } from "node:test";
import { startServer } from "../../src/serve/server.js";
import { MODEL_ID, tinyServedModel, tinyServer } from "./tiny-model.js";

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** A POST that declares `length` bytes of body, sends none, and reads the answer. */
function declaredLengthPost(url: string, length: number): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(length) },
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, json: JSON.parse(body) });
      });
      response.on("error", reject);
    });
    request.flushHeaders();
  });
}

function assertOpenAiError(json: unknown, code: string | null, param: string | null = null): void {
  const error = (json as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ["code", "message", "param", "type"]);
  assert.equal(typeof error.message, "string");
  assert.equal(error.code, code);
  assert.equal(error.param, param);
}

/** The events of an SSE body, checking that it is nothing but `data: …\n\n` events. */
function events(body: string): string[] {
  assert.ok(body.endsWith("\n\n"), "the stream ends with a complete event");
  const parts = body.slice(0, -2).split("\n\n");
  for (const p of parts) assert.match(p, /^data: [^\n]+$/);
  return parts.map((p) => p.slice("data: ".length));
}

test("a chat stream is the role chunk, content deltas, one finish chunk, usage, then [DONE]", async () => {
  const server = await tinyServer();
  try {
    const response = await post(`${server.url}/v1/chat/completions`, {
      model: MODEL_ID,
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const data = events(await response.text());
    assert.equal(data.at(-1), "[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.equal(chunks.length, 1 + 4 + 1 + 1);
    const ids = new Set(chunks.map((c) => c.id));
    assert.equal(ids.size, 1);
    assert.match([...ids][0], /^chatcmpl-/);
    for (const c of chunks) {
      assert.equal(c.object, "chat.completion.chunk");
      assert.equal(c.model, MODEL_ID);
      assert.equal(typeof c.created, "number");
    }
    assert.deepEqual(chunks[0].choices, [
      { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
    ]);
    for (const c of chunks.slice(1, 5)) {
      assert.equal(c.choices.length, 1);
      assert.deepEqual(Object.keys(c.choices[0].delta), ["content"]);
      assert.equal(c.choices[0].delta.content.length, 1);
      assert.equal(c.choices[0].finish_reason, null);
      assert.equal(c.usage, null);
    }
    assert.deepEqual(chunks[5].choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: "length" }]);
    assert.deepEqual(chunks[6].choices, []);
    assert.deepEqual(chunks[6].usage, { prompt_tokens: 19, completion_tokens: 4, total_tokens: 23 });

    // Completions: no role chunk; without include_usage no usage field at all.
    const text = await post(`${server.url}/v1/completions`, {
      model: MODEL_ID,
      prompt: "ab",
      max_tokens: 3,
      stream: true,
    });
    const textData = events(await text.text());
    assert.equal(textData.at(-1), "[DONE]");
    const textChunks = textData.slice(0, -1).map((d) => JSON.parse(d));
    assert.equal(textChunks.length, 4);
    for (const c of textChunks) {
      assert.equal(c.object, "text_completion");
      assert.ok(!("usage" in c));
    }
    assert.deepEqual(
      textChunks.map((c) => c.choices[0].finish_reason),
      [null, null, null, "length"],
    );
  } finally {
    await server.close();
  }
});

test("bad requests get clear 4xx errors in OpenAI's shape, and the server keeps serving", async () => {
  const server = await tinyServer({ bodyLimitBytes: 1024 * 1024 });
  const url = `${server.url}/v1/completions`;
  try {
    const cases: [unknown, number, string | null, string | null][] = [
      ["{not json", 400, "invalid_json", null],
      ["[1, 2]", 400, "invalid_json", null],
      [{ prompt: "abc" }, 400, "invalid_value", "model"],
      [{ model: MODEL_ID, prompt: "abc", max_tokens: "ten" }, 400, "invalid_value", "max_tokens"],
      [{ model: MODEL_ID, prompt: "abc", max_tokens: -5 }, 400, "invalid_value", "max_tokens"],
      [{ model: MODEL_ID, prompt: "abc", temperature: 7 }, 400, "invalid_value", "temperature"],
      [{ model: MODEL_ID, prompt: 12 }, 400, "invalid_value", "prompt"],
      [{ model: MODEL_ID, prompt: "" }, 400, null, "prompt"],
      [{ model: MODEL_ID, prompt: "abc", stop: [""] }, 400, "invalid_value", "stop.0"],
      [{ model: MODEL_ID, prompt: "abc", logit_bias: { "9999": 1 } }, 400, null, "logit_bias"],
      [{ model: MODEL_ID, prompt: "a".repeat(300) }, 400, "context_length_exceeded", "prompt"],
      [{ model: "other", prompt: "abc" }, 404, "model_not_found", "model"],
    ];
    for (const [body, status, code, param] of cases) {
      const response = await post(url, body);
      assert.equal(response.status, status, JSON.stringify(body));
      assertOpenAiError(await response.json(), code, param);
    }
    const chat = await post(`${server.url}/v1/chat/completions`, {
      model: MODEL_ID,
      messages: [{ role: "user", content: "hi" }],
      tools: [{ type: "function" }],
    });
    assert.equal(chat.status, 400);
    assertOpenAiError(await chat.json(), "invalid_value", "tools");
    // The limit is checked on the declared length, before any of the body is read. Sent by
    // hand: a fetch still uploading when the server answers and closes races that close.
    const huge = await declaredLengthPost(url, 10 * 1024 * 1024);
    assert.equal(huge.status, 413);
    assertOpenAiError(huge.json, "request_too_large");
    const unknown = await fetch(`${server.url}/v1/nothing`);
    assert.equal(unknown.status, 404);
    assertOpenAiError(await unknown.json(), "unknown_url");
    // Unknown fields are ignored, max_tokens beyond the context is capped by it.
    const ok = await post(url, {
      model: MODEL_ID,
      prompt: "abc",
      max_tokens: 100_000,
      extra: { any: 1 },
      seed: 1,
    });
    assert.equal(ok.status, 200);
    const json = (await ok.json()) as {
      usage: { completion_tokens: number };
      choices: { finish_reason: string }[];
    };
    assert.equal(json.usage.completion_tokens, 256 - 3);
    assert.equal(json.choices[0]!.finish_reason, "length");
  } finally {
    await server.close();
  }
});

test("with keys, every route but /health needs a valid bearer key", async () => {
  const server = await tinyServer({
    apiKeys: ["key-one", "key-two"],
    metrics: true,
    cors: "https://example.org",
  });
  const body = { model: MODEL_ID, prompt: "abc", max_tokens: 2 };
  try {
    const missing = await post(`${server.url}/v1/completions`, body);
    assert.equal(missing.status, 401);
    assertOpenAiError(await missing.json(), "invalid_api_key");
    const wrong = await post(`${server.url}/v1/completions`, body, { authorization: "Bearer key-on" });
    assert.equal(wrong.status, 401);
    for (const key of ["key-one", "key-two"]) {
      const ok = await post(`${server.url}/v1/completions`, body, { authorization: `Bearer ${key}` });
      assert.equal(ok.status, 200);
    }
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await post(`${server.url}/tokenize`, { content: "a" })).status, 401);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    // A browser's preflight needs no key; the allowed origin comes back.
    const preflight = await fetch(`${server.url}/v1/completions`, {
      method: "OPTIONS",
      headers: { origin: "https://example.org", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://example.org");
  } finally {
    await server.close();
  }
});

test("/health answers 503 while the model loads, then 200", async () => {
  let release!: () => void;
  const loaded = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = await startServer({
    port: 0,
    load: async () => {
      await loaded;
      return tinyServedModel();
    },
  });
  try {
    const loading = await fetch(`${server.url}/health`);
    assert.equal(loading.status, 503);
    assert.equal(loading.headers.get("retry-after"), "1");
    assertOpenAiError(await loading.json(), "model_loading");
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 503);
    release();
    await server.ready;
    const ready = await fetch(`${server.url}/health`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ok" });
  } finally {
    await server.close();
  }
});

test("metrics, tokenize and detokenize", async () => {
  const server = await tinyServer({ metrics: true });
  try {
    const tokens = (await (await post(`${server.url}/tokenize`, { content: "abc" })).json()) as {
      tokens: number[];
    };
    assert.equal(tokens.tokens.length, 3);
    const pieces = await (await post(`${server.url}/tokenize`, { content: "ab", with_pieces: true })).json();
    assert.deepEqual(pieces, {
      tokens: [
        { id: tokens.tokens[0], piece: "a" },
        { id: tokens.tokens[1], piece: "b" },
      ],
    });
    const text = await (await post(`${server.url}/detokenize`, { tokens: tokens.tokens })).json();
    assert.deepEqual(text, { content: "abc" });
    assert.equal((await post(`${server.url}/detokenize`, { tokens: [100000] })).status, 400);
    await post(`${server.url}/v1/completions`, { model: MODEL_ID, prompt: "abcd", max_tokens: 5 });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1]);
    assert.equal(value("infiniset_prompt_tokens_total"), 4);
    assert.equal(value("infiniset_generated_tokens_total"), 5);
    assert.equal(value("infiniset_time_to_first_token_seconds_count"), 1);
    assert.equal(value("infiniset_time_per_output_token_seconds_count"), 4);
    assert.equal(value("infiniset_requests_running"), 0);
    assert.equal(value("infiniset_requests_queued"), 0);
    assert.equal(value("infiniset_slots_busy"), 0);
    assert.ok(value("infiniset_kv_cache_usage_ratio") >= 0);
    const off = await tinyServer();
    try {
      assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
    } finally {
      await off.close();
    }
  } finally {
    await server.close();
  }
});
