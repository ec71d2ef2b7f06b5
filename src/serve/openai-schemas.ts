// Request bodies of the OpenAI API, as zod schemas: fields the server knows are checked
// (type and range), fields it does not know are dropped, and options it cannot honour
// (tools, structured output) are refused rather than silently ignored.
import { z } from "zod";

const stop = z.union([z.string().min(1), z.array(z.string().min(1)).max(16)]).nullish();

/** Options both completion endpoints share. */
const sampling = {
  model: z.string({ error: "a model name is required" }).min(1),
  max_tokens: z.number().int().nonnegative().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  /** 0 turns it off, as in llama.cpp. */
  top_k: z.number().int().nonnegative().nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  seed: z.number().int().nullish(),
  stop,
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: z
    .record(z.string().regex(/^\d+$/, "keys are token ids"), z.number().min(-100).max(100))
    .nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  user: z.string().nullish(),
};

export const completionRequest = z.object({
  ...sampling,
  prompt: z.union([
    z.string(),
    z.array(z.string()).length(1, "one prompt per request"),
    z.array(z.number().int().nonnegative()).min(1),
  ]),
  logprobs: z.number().int().min(0).max(20).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.null({ error: "suffix is not supported" }).optional(),
  best_of: z.number().int().min(1).nullish(),
});
export type CompletionRequest = z.infer<typeof completionRequest>;

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string(), z.array(textPart)]).nullish(),
  name: z.string().nullish(),
});

export const chatRequest = z.object({
  ...sampling,
  messages: z.array(message).min(1),
  max_completion_tokens: z.number().int().nonnegative().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  tools: z.array(z.unknown()).max(0, "tools are not supported").nullish(),
  functions: z.array(z.unknown()).max(0, "functions are not supported").nullish(),
  response_format: z
    .object({ type: z.literal("text", { error: "only text responses are supported" }) })
    .nullish(),
});
export type ChatRequest = z.infer<typeof chatRequest>;

export const embeddingRequest = z.object({
  model: z.string({ error: "a model name is required" }).min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(256),
    z.array(z.number().int().nonnegative()).min(1),
    z.array(z.array(z.number().int().nonnegative()).min(1)).min(1).max(256),
  ]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.null({ error: "dimensions is not supported" }).optional(),
  user: z.string().nullish(),
});
export type EmbeddingRequest = z.infer<typeof embeddingRequest>;

export const tokenizeRequest = z.object({
  content: z.string(),
  with_pieces: z.boolean().nullish(),
});

export const detokenizeRequest = z.object({
  tokens: z.array(z.number().int().nonnegative()),
});
