// A model file the visitor opens from disk: GGUF (read with the same reader as the CLI, and
// run as a llama/qwen2/gpt2 model for chat) or safetensors (inspected).
import { GgufFile } from "../formats/gguf/gguf-file.js";
import { describeValue } from "../formats/gguf/gguf-values.js";
import { readSafetensors } from "../formats/safetensors.js";
import { LlamaModel } from "../models/llama/llama.js";
import { GenerationSession } from "../models/llama/session.js";
import { ChatTemplate } from "../text/gguf/chat-template.js";
import { GgufTokenizer } from "../text/gguf/tokenizer.js";
import type { ModelFileInfo, SamplingRequest } from "./engine-protocol.js";

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

export class ModelFileSession {
  /** The model, and its chat template (none: a plain language model, which continues the text). */
  #chat: { session: GenerationSession; template: ChatTemplate | undefined } | undefined;

  open(name: string, bytes: Uint8Array): ModelFileInfo {
    this.#chat = undefined;
    const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) : 0;
    return magic === GGUF_MAGIC ? this.#openGguf(name, bytes) : this.#openSafetensors(name, bytes);
  }

  #openGguf(name: string, bytes: Uint8Array): ModelFileInfo {
    const file = GgufFile.fromBytes(bytes, name);
    try {
      const info = {
        name,
        format: "gguf" as const,
        bytes: bytes.length,
        metadata: [...file.metadata]
          .filter(([key]) => !key.startsWith("tokenizer.ggml.") || key === "tokenizer.ggml.model")
          .map(([key, value]) => [key, describeValue(value)] as const),
        tensors: file.tensors.map((t) => ({ name: t.name, type: t.type.name, shape: t.shape })),
      };
      try {
        const tokenizer = GgufTokenizer.fromGguf(file);
        const model = new LlamaModel(file, {});
        const session = new GenerationSession(model, tokenizer, Math.min(model.config.contextLength, 2048));
        const template = tokenizer.vocab.chatTemplate === undefined ? undefined : ChatTemplate.of(tokenizer);
        this.#chat = { session, template };
        return { ...info, chat: { ready: true, template: template !== undefined } };
      } catch (error) {
        return { ...info, chat: { ready: false, reason: (error as Error).message } };
      }
    } finally {
      file.close();
    }
  }

  #openSafetensors(name: string, bytes: Uint8Array): ModelFileInfo {
    let contents: ReturnType<typeof readSafetensors>;
    try {
      contents = readSafetensors(bytes);
    } catch (error) {
      throw new Error(`${name} is neither a GGUF nor a safetensors file: ${(error as Error).message}`);
    }
    return {
      name,
      format: "safetensors",
      bytes: bytes.length,
      metadata: Object.entries(contents.metadata ?? {}).map(
        ([key, value]) => [key, value.length > 80 ? `${value.slice(0, 77)}…` : value] as const,
      ),
      tensors: [...contents.tensors].map(([tensorName, t]) => ({
        name: tensorName,
        type: t.dtype,
        shape: t.shape,
      })),
      chat: {
        ready: false,
        reason:
          "a safetensors file holds weights only (no architecture, no tokenizer): open a GGUF file to chat",
      },
    };
  }

  chat(
    request: SamplingRequest & {
      messages: readonly { role: "system" | "user" | "assistant"; content: string }[];
    },
    onText: (text: string) => void,
  ): string {
    if (!this.#chat) throw new Error("open a GGUF model file first");
    const { session, template } = this.#chat;
    const last = request.messages.at(-1)?.content ?? "";
    let prompt = template ? template.encode(request.messages) : session.tokenizer.encode(last);
    // A small model's context holds the end of the conversation (at least half of it) and the reply.
    const kept = Math.min(prompt.length, Math.max(1, Math.floor(session.capacity / 2)));
    const maxTokens = Math.max(1, Math.min(request.maxTokens, session.capacity - kept));
    prompt = prompt.slice(-(session.capacity - maxTokens));
    let reply = "";
    session.generate(prompt, {
      maxTokens,
      seed: request.seed ?? 0,
      sampler: {
        temperature: request.temperature ?? 0.8,
        ...(request.topK ? { topK: request.topK } : {}),
        ...(request.topP !== undefined && request.topP < 1 ? { topP: request.topP } : {}),
      },
      onText: (text) => {
        if (text.length === 0) return;
        reply += text;
        onText(text);
      },
    });
    return reply;
  }
}
