export { type GptConfig, gptParameterCount, validateGptConfig } from "./config.js";
export { DecodingSession } from "./decoding-session.js";
export { type GenerateOptions, generateTokens } from "./generate.js";
export { Gpt, type GptOptions } from "./gpt.js";
export { initGpt2Weights } from "./gpt2-init.js";
export { KvCache } from "./kv-cache.js";
