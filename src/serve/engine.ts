// What the server needs of a model: tokens in and out, a chat template, and forward passes
// over many sequences at once. Any model that offers these (infiniset's own GPT
// checkpoints, GGUF models) is served the same way.
import type { BatchStep } from "../nn/batch-kv-cache.js";
import type { Tensor } from "../tensor/tensor.js";

export interface ChatMessage {
  role: string;
  content: string;
}

/** The tokenizer side of a served model. */
export interface ServeTokenizer {
  readonly vocabSize: number;
  /** Token ids of a prompt (with the model's BOS token where it wants one). */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** A token's bytes: a piece of byte-level BPE may be part of a character. */
  tokenBytes(id: number): Uint8Array;
  /** Turns ids into text as they arrive, holding back incomplete characters. */
  streamingDecoder(): (id: number) => string;
}

/**
 * A model that runs many sequences at different positions in one forward pass, each with
 * its keys and values in a row of a `BatchKvCache` (see `GptBatchDecoder`).
 */
export interface BatchModel {
  readonly vocabSize: number;
  /** The most positions a sequence can have. */
  readonly contextLength: number;
  readonly kvShape: { layers: number; kvHeads: number; headDim: number };
  /** Next-token logits [M, vocab] at position `last[m]` of each row, for ids [M, T] fed through `step`. */
  logits(ids: Int32Array, step: BatchStep, last: ArrayLike<number>): Tensor;
  /** Final hidden states [M, T, width]. */
  hidden(ids: Int32Array, step: BatchStep): Tensor;
}

/** A model ready to serve: its name, weights, tokenizer and chat template. */
export interface ServedModel {
  /** The name clients pass as `model`. */
  readonly id: string;
  readonly model: BatchModel;
  readonly tokenizer: ServeTokenizer;
  /** Tokens that end generation (end of sequence, end of turn). */
  readonly stopTokens: readonly number[];
  /** The prompt's tokens for a conversation, ending where the assistant's reply starts. */
  encodeChat(messages: readonly ChatMessage[]): number[];
}
