/**
 * infiniset/serve: an OpenAI-compatible server for language models, embeddable.
 *
 * `startServer({ load })` listens and serves any `ServedModel`; `loadServedModel(path)` reads
 * a GPT checkpoint directory or a GGUF file; `createServeApp` is the Hono app alone.
 */
export { createServeApp, type ServeApp, type ServeAppOptions, type ServeState } from "./app.js";
export { BatchEngine, type BatchEngineOptions, type StepEntry } from "./batch-engine.js";
export { servedGpt } from "./checkpoint-model.js";
export type { BatchModel, ChatMessage, ServedModel, ServeTokenizer } from "./engine.js";
export { servedGguf } from "./gguf-model.js";
export { loadServedModel } from "./load-model.js";
export { type RunningServer, type ServeStatus, type StartServerOptions, startServer } from "./server.js";
