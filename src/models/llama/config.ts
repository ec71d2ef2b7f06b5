// The shape of a Llama-family model as a GGUF file states it in `{arch}.*` metadata.
// Absent optional keys take llama.cpp's defaults; a missing required key is an error that
// names it.
import type { GgufFile } from "../../formats/gguf/gguf-file.js";

/** Architectures this folder runs: "llama" (Llama 2/3, TinyLlama, SmolLM), "qwen2", "gpt2". */
export const SUPPORTED_ARCHITECTURES = ["llama", "qwen2", "gpt2"] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

export interface LlamaConfig {
  architecture: Architecture;
  vocabSize: number;
  contextLength: number;
  embd: number;
  nLayer: number;
  nHead: number;
  /** Key/value heads; fewer than nHead is grouped-query attention. */
  nHeadKv: number;
  headDim: number;
  ffn: number;
  /** RMSNorm epsilon (llama, qwen2) or LayerNorm epsilon (gpt2). */
  normEps: number;
  ropeBase: number;
  /** Leading dimensions of each head that RoPE rotates (the rest pass through). */
  ropeDims: number;
  /** Positions are multiplied by this before rotating (linear RoPE scaling: 1 / factor). */
  ropeScale: number;
  /** "adjacent" pairs (x[2i], x[2i+1]) for llama files, "halves" (x[i], x[i + d/2]) for qwen2. */
  ropePairs: "adjacent" | "halves";
}

export function architectureOf(file: GgufFile): Architecture {
  const arch = file.string("general.architecture");
  if (!(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new Error(
      `${file.source}: architecture "${arch}" is not supported (supported: ${SUPPORTED_ARCHITECTURES.join(", ")})`,
    );
  }
  return arch as Architecture;
}

export function configFromGguf(file: GgufFile): LlamaConfig {
  const architecture = architectureOf(file);
  const key = (name: string) => `${architecture}.${name}`;
  const embd = file.number(key("embedding_length"));
  const nHead = file.number(key("attention.head_count"));
  const nHeadKv = file.number(key("attention.head_count_kv"), nHead);
  const headDim = file.number(key("attention.key_length"), embd / nHead);
  const vocabSize = file.has(key("vocab_size"))
    ? file.number(key("vocab_size"))
    : file.tensor("token_embd.weight").shape[0]!;
  const scaling = file.string(key("rope.scaling.type"), "none");
  if (scaling !== "none" && scaling !== "linear") {
    throw new Error(
      `${file.source}: ${key("rope.scaling.type")} "${scaling}" is not supported (none, linear are)`,
    );
  }
  const factor = scaling === "linear" ? file.number(key("rope.scaling.factor"), 1) : 1;
  const config: LlamaConfig = {
    architecture,
    vocabSize,
    contextLength: file.number(key("context_length")),
    embd,
    nLayer: file.number(key("block_count")),
    nHead,
    nHeadKv,
    headDim,
    ffn: file.number(key("feed_forward_length")),
    normEps:
      architecture === "gpt2"
        ? file.number(key("attention.layer_norm_epsilon"), 1e-5)
        : file.number(key("attention.layer_norm_rms_epsilon"), 1e-5),
    ropeBase: file.number(key("rope.freq_base"), 10000),
    ropeDims: file.number(key("rope.dimension_count"), headDim),
    ropeScale: factor > 0 ? 1 / factor : 1,
    ropePairs: architecture === "qwen2" ? "halves" : "adjacent",
  };
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === "number" && !(Number.isFinite(value) && value > 0)) {
      throw new Error(`${file.source}: ${name} must be positive, found ${value}`);
    }
  }
  if (
    !Number.isInteger(headDim) ||
    nHead % nHeadKv !== 0 ||
    config.ropeDims > headDim ||
    config.ropeDims % 2
  ) {
    throw new Error(
      `${file.source}: inconsistent attention shape (heads ${nHead}, kv heads ${nHeadKv}, head dim ${headDim}, rope dims ${config.ropeDims})`,
    );
  }
  return config;
}
