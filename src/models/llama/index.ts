// Models read from GGUF files: llama, qwen2 and gpt2 architectures.
export { type Architecture, configFromGguf, type LlamaConfig, SUPPORTED_ARCHITECTURES } from "./config.js";
export { KvCache } from "./kv-cache.js";
export { LlamaModel, type LlamaModelOptions } from "./llama.js";
export { type LoadedModel, loadGgufModel } from "./load.js";
export { type GenerateFromOptions, GenerationSession, type GenerationStats } from "./session.js";
