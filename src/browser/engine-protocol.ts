// What the page and the engine's Web Worker say to each other. Every request carries an id;
// the worker answers it with any number of events, then one result or one error.

export type LanguageModelKind = "gpt" | "lstm" | "gru" | "ngram";

export interface TrainRequest {
  /** The text to learn from; a tenth (at least one block) is held out for validation. */
  readonly text: string;
  readonly kind: LanguageModelKind;
  /** Optimizer steps (the n-gram model counts its text once instead). */
  readonly steps: number;
  readonly layers?: number;
  /** Embedding width (GPT) or state width (LSTM/GRU). */
  readonly width?: number;
  readonly heads?: number;
  readonly blockSize?: number;
  readonly batchSize?: number;
  readonly lr?: number;
  /** n-gram order. */
  readonly order?: number;
  readonly seed?: number;
  /** Validation loss every this many steps (default 25). */
  readonly evalInterval?: number;
}

export interface TrainProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** When the step evaluated on the held-out text. */
  readonly validationLoss?: number;
  readonly msPerStep: number;
  readonly tokensPerSecond: number;
}

export interface TrainResult {
  readonly steps: number;
  readonly loss: number;
  readonly validationLoss: number;
  readonly parameters: number;
  readonly description: string;
  readonly stopped: boolean;
}

export interface SamplingRequest {
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly seed?: number;
  /** Alternatives reported per token (default 5). */
  readonly alternatives?: number;
}

/** A generated token with the model's probability for it and for the likeliest tokens. */
export interface TokenEvent {
  readonly text: string;
  readonly probability: number;
  readonly alternatives: readonly { readonly text: string; readonly probability: number }[];
}

export interface AttentionResult {
  readonly tokens: readonly string[];
  readonly layers: number;
  readonly heads: number;
  /** [layers, heads, tokens, tokens]: row q is where position q looked. */
  readonly weights: Float32Array;
}

export interface NextTokenResult {
  readonly tokens: readonly string[];
  /** The next-token distribution after each position: its likeliest tokens. */
  readonly next: readonly (readonly { readonly text: string; readonly probability: number }[])[];
}

export interface SaliencyResult {
  readonly tokens: readonly string[];
  readonly labels: readonly string[];
  readonly probabilities: readonly number[];
  readonly label: string;
  /** |∂ log p(label) / ∂ embedding| per token, scaled so the largest is 1. */
  readonly saliency: readonly number[];
}

export interface ModelFileInfo {
  readonly name: string;
  readonly format: "gguf" | "safetensors";
  readonly bytes: number;
  readonly metadata: readonly (readonly [string, string])[];
  readonly tensors: readonly {
    readonly name: string;
    readonly type: string;
    readonly shape: readonly number[];
  }[];
  /**
   * Whether it can chat: with its chat template, or without one (a plain language model)
   * by continuing the last message; why not, when it cannot.
   */
  readonly chat:
    | { readonly ready: true; readonly template: boolean }
    | { readonly ready: false; readonly reason: string };
}

export interface InstructionRow {
  readonly name: string;
  readonly kind: "primitive" | "composite";
  readonly differentiable: boolean;
  readonly targets: readonly string[];
  readonly doc: string;
}

export interface ExplainResult {
  readonly target: string;
  readonly instructions: number;
  readonly arenaBytes: number;
  readonly kernels: readonly {
    readonly kind: string;
    readonly shape: string;
    readonly fused: string;
    readonly ms: number;
  }[];
  readonly text: string;
  /** The snippet's value, printed. */
  readonly value: string;
}

export interface EngineInfo {
  readonly crossOriginIsolated: boolean;
  readonly threads: number;
  readonly target: string;
  /** The GPU adapter, when the browser has one and the webgpu target opened. */
  readonly webgpu?: string;
  readonly webgpuReason?: string;
}

/** Each method: its parameters, the events it streams, its result. */
export interface EngineMethods {
  /** The engine's state; `threads` (first, before other calls) sets the wasm pool's size, `webgpu` opens a GPU. */
  info: { params: { webgpu?: boolean; threads?: number }; event: never; result: EngineInfo };
  train: { params: TrainRequest; event: TrainProgress; result: TrainResult };
  pause: { params: Record<string, never>; event: never; result: boolean };
  resume: { params: Record<string, never>; event: never; result: boolean };
  stop: { params: Record<string, never>; event: never; result: boolean };
  generate: { params: SamplingRequest & { prompt: string }; event: TokenEvent; result: string };
  attention: { params: { prompt: string }; event: never; result: AttentionResult };
  nextTokens: { params: { prompt: string; k?: number }; event: never; result: NextTokenResult };
  saveCheckpoint: { params: Record<string, never>; event: never; result: Uint8Array };
  loadCheckpoint: { params: { bytes: Uint8Array }; event: never; result: TrainResult };
  exportGguf: { params: Record<string, never>; event: never; result: Uint8Array };
  trainClassifier: {
    params: { examples: readonly { text: string; label: string }[]; steps?: number; seed?: number };
    event: TrainProgress;
    result: { labels: readonly string[]; accuracy: number };
  };
  saliency: { params: { text: string; label?: string }; event: never; result: SaliencyResult };
  openModel: { params: { name: string; bytes: Uint8Array }; event: never; result: ModelFileInfo };
  chat: {
    params: SamplingRequest & {
      messages: readonly { role: "system" | "user" | "assistant"; content: string }[];
    };
    event: { text: string };
    result: string;
  };
  instructions: { params: Record<string, never>; event: never; result: readonly InstructionRow[] };
  explain: { params: { snippet: string }; event: never; result: ExplainResult };
}

export type EngineMethod = keyof EngineMethods;

export interface EngineRequestMessage {
  readonly id: number;
  readonly method: EngineMethod;
  readonly params: unknown;
}

export type EngineReplyMessage =
  | { readonly id: number; readonly event: unknown }
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string };
