// infiniset's own GPT checkpoints as served models: the batched decoder over the trained
// weights, the tokenizer the run used, and a plain transcript as chat template (these
// models are trained on raw text and have no chat format of their own).
import { basename, resolve } from "node:path";
import { GptBatchDecoder } from "../models/gpt/batch-decoder.js";
import type { Gpt } from "../models/gpt/gpt.js";
import { BpeTokenizer } from "../text/bpe-tokenizer.js";
import { loadGptCheckpoint } from "../train/gpt-checkpoint.js";
import { createStreamingDecoder, type TextTokenizer } from "../train/tokenizer.js";
import type { ChatMessage, ServedModel, ServeTokenizer } from "./engine.js";

const utf8 = new TextEncoder();

/** A checkpoint's tokenizer as the server uses it. */
export function serveTokenizer(tokenizer: TextTokenizer): ServeTokenizer {
  return {
    vocabSize: tokenizer.vocabSize,
    encode: (text) => [...tokenizer.encode(text)],
    decode: (ids) => tokenizer.decode(ids),
    tokenBytes: (id) =>
      tokenizer instanceof BpeTokenizer ? tokenizer.decodeBytes([id]) : utf8.encode(tokenizer.decode([id])),
    streamingDecoder: () => createStreamingDecoder(tokenizer),
  };
}

/** "role: content" lines, then "assistant:" for the reply. */
export function transcriptPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${m.role}: ${m.content}\n`).join("")}assistant:`;
}

/** A GPT (already trained) and its tokenizer as a served model named `id`. */
export function servedGpt(model: Gpt, tokenizer: TextTokenizer, id: string): ServedModel {
  if (tokenizer.vocabSize !== model.config.vocabSize) {
    throw new Error(
      `the tokenizer has ${tokenizer.vocabSize} tokens but the model ${model.config.vocabSize}`,
    );
  }
  const served = serveTokenizer(tokenizer);
  return {
    id,
    model: new GptBatchDecoder(model),
    tokenizer: served,
    stopTokens: [],
    encodeChat: (messages) => served.encode(transcriptPrompt(messages)),
  };
}

/** The GPT checkpoint `dir` stands for (a run directory or a step folder), named after the folder. */
export function loadCheckpointModel(dir: string): ServedModel {
  const loaded = loadGptCheckpoint(dir);
  return servedGpt(loaded.model, loaded.tokenizer, basename(resolve(dir)));
}
