export type { GenerateOptions } from "../../text/sampling.js";
export { AttentionMaps } from "./attention-maps.js";
export { type GptConfig, gptParameterCount, validateGptConfig } from "./config.js";
export { DecodingSession } from "./decoding-session.js";
export { generateTokens } from "./generate.js";
export { Gpt, type GptOptions } from "./gpt.js";
export { initGpt2Weights } from "./gpt2-init.js";
export { KvCache } from "./kv-cache.js";
