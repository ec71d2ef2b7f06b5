// Many clients at once, clients that leave, full queues, timeouts and draining, against a
// real server on a loopback port.
import assert from "node:assert/strict";
import { test } from "node:test";
import OpenAI from "openai";
import { charId, MODEL_ID, tinyServer } from "./tiny-model.js";

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
}

/** Polls until `check` holds (at most ~5 s). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`timed out waiting until ${what}`);
}

const long = { model: MODEL_ID, prompt: "Call me Ishmael.", max_tokens: 230, stream: true };

test("a client that aborts mid-stream frees its slot, and the next request is served", async () => {
  const server = await tinyServer({ slots: 1, metrics: true });
  try {
    const abort = new AbortController();
    const response = await post(`${server.url}/v1/completions`, long, abort.signal);
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /^data: /);
    abort.abort();
    await eventually(
      async () => (await metric(server.url, "infiniset_slots_busy")) === 0,
      "the slot is free",
    );
    const generated = await metric(server.url, "infiniset_generated_tokens_total");
    assert.ok(generated < 230, `the aborted stream stopped early (${generated} tokens)`);
    const next = await post(`${server.url}/v1/completions`, {
      model: MODEL_ID,
      prompt: "abc",
      max_tokens: 3,
    });
    assert.equal(next.status, 200);
    assert.equal(
      ((await next.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens,
      3,
    );
    // A client that leaves a non-streaming request frees the slot too.
    const gone = new AbortController();
    const pending = post(`${server.url}/v1/completions`, { ...long, stream: false }, gone.signal).catch(
      () => undefined,
    );
    await eventually(
      async () => (await metric(server.url, "infiniset_slots_busy")) === 1,
      "the request runs",
    );
    gone.abort();
    await pending;
    await eventually(
      async () => (await metric(server.url, "infiniset_slots_busy")) === 0,
      "the slot is free again",
    );
  } finally {
    await server.close();
  }
});

test("64 concurrent clients all complete, and no token of one stream appears in another", async () => {
  const server = await tinyServer({ slots: 8, maxQueue: 64 });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  // Each client's bias forces its own character: any other character is cross-talk.
  const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,";
  try {
    const results = await Promise.all(
      [...chars].map(async (char, i) => {
        const request = {
          model: MODEL_ID,
          prompt: `client ${i}`,
          max_tokens: 6 + (i % 5),
          logit_bias: { [charId(char)]: 100 },
        };
        if (i % 2 === 1)
          return { char, request, text: (await client.completions.create(request)).choices[0]!.text };
        let text = "";
        for await (const chunk of await client.completions.create({ ...request, stream: true })) {
          text += chunk.choices[0]?.text ?? "";
        }
        return { char, request, text };
      }),
    );
    for (const { char, request, text } of results) assert.equal(text, char.repeat(request.max_tokens));
  } finally {
    await server.close();
  }
});

test("a full queue answers 503 with Retry-After; a request past its timeout fails", async () => {
  const server = await tinyServer({ slots: 1, maxQueue: 1, timeoutSeconds: 30 });
  try {
    const first = new AbortController();
    const running = await post(`${server.url}/v1/completions`, long, first.signal);
    await running.body!.getReader().read();
    const second = new AbortController();
    const queued = post(`${server.url}/v1/completions`, long, second.signal).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await post(`${server.url}/v1/completions`, long);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "queue_full");
    first.abort();
    second.abort();
    await queued;
  } finally {
    await server.close();
  }
  const hasty = await tinyServer({ timeoutSeconds: 0.05 });
  try {
    const late = await post(`${hasty.url}/v1/completions`, { ...long, stream: false });
    assert.equal(late.status, 408);
    assert.equal(((await late.json()) as { error: { type: string } }).error.type, "timeout_error");
    // A stream that times out ends with an error event, not [DONE].
    const stream = await (await post(`${hasty.url}/v1/completions`, long)).text();
    assert.match(stream, /data: \{"error":\{"message":"the request took longer than 0.05 s"[^\n]*\n\n$/);
  } finally {
    await hasty.close();
  }
});

test("closing drains: a running stream finishes with [DONE], then the server stops", async () => {
  const server = await tinyServer({ slots: 2 });
  const response = await post(`${server.url}/v1/completions`, { ...long, max_tokens: 60 });
  const reader = response.body!.getReader();
  let body = new TextDecoder().decode((await reader.read()).value);
  const closed = server.close();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    body += new TextDecoder().decode(value);
  }
  await closed;
  assert.ok(body.endsWith("data: [DONE]\n\n"));
  const events = body.slice(0, -2).split("\n\n");
  assert.equal(events.length, 60 + 1 + 1);
  await assert.rejects(fetch(`${server.url}/health`));
});
