// The official openai package against a real server on a loopback port.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import type { RunningServer } from "../../src/serve/server.js";
import { charId, MODEL_ID, tinyServer } from "./tiny-model.js";

let server: RunningServer;
let client: OpenAI;

before(async () => {
  server = await tinyServer({ slots: 4 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});
after(() => server.close());

async function streamedText(
  stream: AsyncIterable<{ choices: { text?: string; delta?: { content?: string | null } }[] }>,
) {
  let text = "";
  for await (const chunk of stream) {
    for (const c of chunk.choices) text += c.text ?? c.delta?.content ?? "";
  }
  return text;
}

test("completions: text, usage and finish reason, streamed or not, the same under one seed", async () => {
  const request = { model: MODEL_ID, prompt: "Call me", max_tokens: 12, temperature: 1, seed: 42 };
  const a = await client.completions.create(request);
  assert.equal(a.object, "text_completion");
  assert.equal(a.model, MODEL_ID);
  assert.equal(a.choices.length, 1);
  assert.equal(a.choices[0]!.finish_reason, "length");
  assert.equal(a.usage?.prompt_tokens, 7);
  assert.equal(a.usage?.completion_tokens, 12);
  assert.equal(a.choices[0]!.text.length, 12);
  const b = await client.completions.create(request);
  assert.equal(b.choices[0]!.text, a.choices[0]!.text, "same seed, same text");
  const streamed = await streamedText(await client.completions.create({ ...request, stream: true }));
  assert.equal(streamed, a.choices[0]!.text, "streaming gives the same text");
  const other = await client.completions.create({ ...request, seed: 43 });
  assert.notEqual(other.choices[0]!.text, a.choices[0]!.text, "another seed, another text");
});

test("chat completions through the chat template, streamed and not", async () => {
  const request = {
    model: MODEL_ID,
    messages: [
      { role: "system" as const, content: "Be brief." },
      { role: "user" as const, content: "Hello" },
    ],
    max_tokens: 10,
    seed: 5,
  };
  const reply = await client.chat.completions.create(request);
  assert.equal(reply.object, "chat.completion");
  assert.equal(reply.choices[0]!.message.role, "assistant");
  assert.equal(reply.choices[0]!.message.content!.length, 10);
  // "system: Be brief.\nuser: Hello\nassistant:"
  assert.equal(reply.usage?.prompt_tokens, 40);
  const stream = await client.chat.completions.create({
    ...request,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content ?? "";
      finish = c.finish_reason ?? finish;
    }
  }
  assert.equal(text, reply.choices[0]!.message.content);
  assert.equal(finish, "length");
  assert.deepEqual(usage, reply.usage);
});

test("stop sequences end the text before them, streamed or not", async () => {
  const request = { model: MODEL_ID, prompt: "The whale", max_tokens: 30, temperature: 0 };
  const full = (await client.completions.create(request)).choices[0]!.text;
  const stop = full.slice(9, 11);
  const expected = full.slice(0, full.indexOf(stop));
  const cut = await client.completions.create({ ...request, stop: [stop, "never"] });
  assert.equal(cut.choices[0]!.text, expected);
  assert.equal(cut.choices[0]!.finish_reason, "stop");
  const streamed = await streamedText(await client.completions.create({ ...request, stop, stream: true }));
  assert.equal(streamed, expected);
});

test("logprobs: the chosen token and the most likely alternatives, for chat and completions", async () => {
  const chat = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [{ role: "user", content: "hi" }],
    max_tokens: 5,
    temperature: 0,
    logprobs: true,
    top_logprobs: 3,
  });
  const content = chat.choices[0]!.logprobs!.content!;
  assert.equal(content.length, 5);
  assert.equal(content.map((t) => t.token).join(""), chat.choices[0]!.message.content);
  for (const t of content) {
    assert.ok(t.logprob <= 0);
    assert.equal(t.top_logprobs.length, 3);
    // Greedy: the chosen token is the most likely one.
    assert.equal(t.top_logprobs[0]!.token, t.token);
    assert.ok(Math.abs(t.top_logprobs[0]!.logprob - t.logprob) < 1e-9);
    assert.ok(t.top_logprobs[0]!.logprob >= t.top_logprobs[1]!.logprob);
    assert.deepEqual(t.bytes, [...Buffer.from(t.token)]);
  }
  const text = await client.completions.create({
    model: MODEL_ID,
    prompt: "abc",
    max_tokens: 4,
    logprobs: 2,
  });
  const lp = text.choices[0]!.logprobs!;
  assert.equal(lp.tokens!.join(""), text.choices[0]!.text);
  assert.equal(lp.token_logprobs!.length, 4);
  assert.deepEqual(lp.text_offset, [0, 1, 2, 3]);
  assert.equal(Object.keys(lp.top_logprobs![0]!).length, 2);
});

test("n choices, logit bias and penalties", async () => {
  const x = charId("x");
  const forced = await client.completions.create({
    model: MODEL_ID,
    prompt: "abc",
    max_tokens: 6,
    n: 2,
    logit_bias: { [x]: 100 },
  });
  assert.equal(forced.choices.length, 2);
  assert.deepEqual(
    forced.choices.map((c) => [c.index, c.text]),
    [
      [0, "xxxxxx"],
      [1, "xxxxxx"],
    ],
  );
  assert.equal(forced.usage?.completion_tokens, 12);
  // Each x costs 2 of its bias of 5: after three the bias is spent and others win.
  const penalised = await client.completions.create({
    model: MODEL_ID,
    prompt: "abc",
    max_tokens: 6,
    temperature: 0,
    logit_bias: { [x]: 5 },
    frequency_penalty: 2,
  });
  assert.ok(
    /^xx[^x]/.test(penalised.choices[0]!.text) || /^xxx[^x]/.test(penalised.choices[0]!.text),
    penalised.choices[0]!.text,
  );
});

test("models and embeddings", async () => {
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((m) => [m.id, m.object, m.owned_by]),
    [[MODEL_ID, "model", "infiniset"]],
  );
  const embeddings = await client.embeddings.create({ model: MODEL_ID, input: ["abc", "the sea"] });
  assert.equal(embeddings.data.length, 2);
  for (const e of embeddings.data) {
    assert.equal(e.embedding.length, 32);
    assert.ok(Math.abs(Math.hypot(...e.embedding) - 1) < 1e-5);
  }
  assert.equal(embeddings.usage.prompt_tokens, 10);
  const floats = await client.embeddings.create({ model: MODEL_ID, input: "abc", encoding_format: "float" });
  const expected = embeddings.data[0]!.embedding;
  floats.data[0]!.embedding.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) < 1e-6);
  });
});

test("errors come back as OpenAI errors the client understands", async () => {
  await assert.rejects(
    client.completions.create({ model: "gpt-4", prompt: "abc" }),
    (error: InstanceType<typeof OpenAI.APIError>) =>
      error.status === 404 && error.code === "model_not_found" && error.param === "model",
  );
  await assert.rejects(
    client.completions.create({ model: MODEL_ID, prompt: "abc", max_tokens: -1 }),
    (error: InstanceType<typeof OpenAI.APIError>) => error.status === 400 && error.param === "max_tokens",
  );
  await assert.rejects(
    client.completions.create({ model: MODEL_ID, prompt: "ab~c" }),
    (error: InstanceType<typeof OpenAI.APIError>) =>
      error.status === 400 && /cannot be tokenized/.test(error.message),
  );
});
