// GGUF models (llama, qwen2, gpt2 architectures) as served models: the model's batched
// passes, its own tokenizer, end-of-generation tokens and chat template.
import { basename } from "node:path";
import type { LoadedModel } from "../models/llama/load.js";
import { ChatTemplate } from "../text/gguf/chat-template.js";
import type { BatchModel, ServedModel } from "./engine.js";

export function servedGguf(loaded: LoadedModel): ServedModel {
  const { model, tokenizer } = loaded;
  const batch: BatchModel = {
    vocabSize: model.config.vocabSize,
    contextLength: model.config.contextLength,
    kvShape: model.kvShape,
    logits: (ids, step, last) => model.batchLogits(ids, step, last),
    hidden: (ids, step) => model.batchHidden(ids, step),
  };
  const template = ChatTemplate.of(tokenizer);
  return {
    id: basename(loaded.path).replace(/\.gguf$/i, ""),
    model: batch,
    tokenizer: {
      vocabSize: tokenizer.vocabSize,
      // As llama-server: BOS where the model wants it, special-token text as those tokens.
      encode: (text) => tokenizer.encode(text, { addSpecial: true, parseSpecial: true }),
      decode: (ids) => tokenizer.decode(ids),
      tokenBytes: (id) => tokenizer.tokenBytes(id),
      streamingDecoder: () => {
        const utf8 = new TextDecoder("utf-8");
        return (id) => utf8.decode(tokenizer.tokenBytes(id), { stream: true });
      },
    },
    stopTokens: [...tokenizer.endOfGeneration],
    encodeChat: (messages) =>
      template.encode(
        messages.map((m) => ({
          role: m.role === "developer" ? "system" : (m.role as "system" | "user" | "assistant"),
          content: m.content,
        })),
      ),
  };
}
