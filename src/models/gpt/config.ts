/** The shape of a GPT; plain JSON, so a checkpoint can store it next to the weights. */
export interface GptConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Longest context, in tokens (the number of learned positions). */
  blockSize: number;
  nLayer: number;
  nHead: number;
  /** Embedding width; a multiple of nHead. */
  nEmbd: number;
  /** Dropout probability after the embeddings, on attention weights and on residual branches. */
  dropout: number;
  /** Biases in the Linears and LayerNorms (GPT-2 has them). */
  bias: boolean;
}

const SIZES = ["vocabSize", "blockSize", "nLayer", "nHead", "nEmbd"] as const;

/**
 * Checks a config (for instance one read from a checkpoint's JSON) and returns it typed.
 * Every problem is named with the field and the value found.
 */
export function validateGptConfig(config: unknown): GptConfig {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new Error("GPT config: expected an object");
  }
  const c = config as Record<string, unknown>;
  for (const key of SIZES) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`GPT config: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1)) {
    throw new Error(`GPT config: dropout must be a number in [0, 1), got ${JSON.stringify(c.dropout)}`);
  }
  if (typeof c.bias !== "boolean") {
    throw new Error(`GPT config: bias must be true or false, got ${JSON.stringify(c.bias)}`);
  }
  const known = new Set<string>([...SIZES, "dropout", "bias"]);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`GPT config: unknown fields ${unknown.join(", ")}`);
  if ((c.nEmbd as number) % (c.nHead as number) !== 0) {
    throw new Error(`GPT config: nEmbd ${c.nEmbd} is not divisible by nHead ${c.nHead}`);
  }
  const { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias } = c as unknown as GptConfig;
  return { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias };
}

/**
 * Trainable values of a GPT in closed form (the LM head shares the token embedding):
 * embeddings (V + block)·C, per layer 12C² plus 13C of biases and norm parameters
 * (2C without biases), and the final norm's 2C (C without bias).
 */
export function gptParameterCount(config: GptConfig): number {
  const { vocabSize: v, blockSize: t, nLayer: l, nEmbd: c, bias } = config;
  const perLayer = 12 * c * c + (bias ? 13 * c : 2 * c);
  return (v + t) * c + l * perLayer + (bias ? 2 * c : c);
}
