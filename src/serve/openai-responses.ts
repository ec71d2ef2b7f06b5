// Response bodies and stream chunks as OpenAI writes them, for the text and chat
// completion endpoints.
import type { FinishReason, TokenLogprob } from "./generation.js";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const FINGERPRINT = "fp_infiniset";

export function usage(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

const textOf = new TextDecoder("utf-8");

/** How the tokens of a response are spelled for log-probabilities. */
export interface TokenSpeller {
  tokenBytes(id: number): Uint8Array;
}

function spell(speller: TokenSpeller, id: number): { token: string; bytes: number[] } {
  const bytes = speller.tokenBytes(id);
  return { token: textOf.decode(bytes), bytes: [...bytes] };
}

/** Chat's `logprobs.content`: one entry per token. */
export function chatLogprobs(speller: TokenSpeller, tokens: readonly TokenLogprob[]) {
  return {
    content: tokens.map((t) => ({
      ...spell(speller, t.id),
      logprob: t.logprob,
      top_logprobs: t.top.map((alt) => ({ ...spell(speller, alt.id), logprob: alt.logprob })),
    })),
    refusal: null,
  };
}

/** The completions endpoint's `logprobs`: parallel arrays, offsets counted from `offset`. */
export function completionLogprobs(speller: TokenSpeller, tokens: readonly TokenLogprob[], offset: number) {
  const spelled = tokens.map((t) => spell(speller, t.id).token);
  const textOffset: number[] = [];
  let at = offset;
  for (const s of spelled) {
    textOffset.push(at);
    at += s.length;
  }
  return {
    tokens: spelled,
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) =>
      Object.fromEntries(t.top.map((alt) => [spell(speller, alt.id).token, alt.logprob])),
    ),
    text_offset: textOffset,
  };
}

export interface ResponseHeader {
  id: string;
  created: number;
  model: string;
}

export function chatCompletion(
  header: ResponseHeader,
  choices: { text: string; finishReason: FinishReason; logprobs: unknown }[],
  u: Usage,
) {
  return {
    ...header,
    object: "chat.completion",
    system_fingerprint: FINGERPRINT,
    choices: choices.map((c, index) => ({
      index,
      message: { role: "assistant", content: c.text, refusal: null },
      logprobs: c.logprobs,
      finish_reason: c.finishReason,
    })),
    usage: u,
  };
}

export function textCompletion(
  header: ResponseHeader,
  choices: { text: string; finishReason: FinishReason; logprobs: unknown }[],
  u: Usage,
) {
  return {
    ...header,
    object: "text_completion",
    system_fingerprint: FINGERPRINT,
    choices: choices.map((c, index) => ({
      text: c.text,
      index,
      logprobs: c.logprobs,
      finish_reason: c.finishReason,
    })),
    usage: u,
  };
}

/** A chat stream chunk for one choice (with `usage: null` when the stream ends with usage). */
export function chatChunk(
  header: ResponseHeader,
  index: number,
  delta: { role?: "assistant"; content?: string },
  finishReason: FinishReason | null,
  logprobs: unknown,
  withUsage: boolean,
) {
  return {
    ...header,
    object: "chat.completion.chunk",
    system_fingerprint: FINGERPRINT,
    choices: [{ index, delta, logprobs, finish_reason: finishReason }],
    ...(withUsage ? { usage: null } : {}),
  };
}

export function textChunk(
  header: ResponseHeader,
  index: number,
  text: string,
  finishReason: FinishReason | null,
  logprobs: unknown,
  withUsage: boolean,
) {
  return {
    ...header,
    object: "text_completion",
    system_fingerprint: FINGERPRINT,
    choices: [{ text, index, logprobs, finish_reason: finishReason }],
    ...(withUsage ? { usage: null } : {}),
  };
}

/** The last chunk of a stream that asked for usage: no choices. */
export function usageChunk(header: ResponseHeader, object: string, u: Usage) {
  return { ...header, object, system_fingerprint: FINGERPRINT, choices: [], usage: u };
}
