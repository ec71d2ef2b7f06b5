import { parseQuantType, type QuantType } from "../../quant/index.js";

/**
 * How a compressed GPT stores its weights: every Linear's weight as ggml blocks of
 * `linear`, both embedding tables (the token table is also the tied output head) as
 * blocks of `embedding`. Biases and norms stay float32.
 */
export interface GptWeightTypes {
  linear: QuantType;
  embedding: QuantType;
}

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
  /** Width of each attention head; default nEmbd / nHead (a model with heads removed has fewer, as wide). */
  headDim?: number;
  /** Width of each MLP's hidden layer; default 4·nEmbd (fewer once neurons are removed). */
  mlpHidden?: number;
  /** Quantized weights (see GptWeightTypes); absent: float32, trainable. */
  weightTypes?: GptWeightTypes;
}

/** Width of each head. */
export function gptHeadDim(config: GptConfig): number {
  return config.headDim ?? config.nEmbd / config.nHead;
}

/** Width of each MLP's hidden layer. */
export function gptMlpHidden(config: GptConfig): number {
  return config.mlpHidden ?? 4 * config.nEmbd;
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
  for (const key of ["headDim", "mlpHidden"] as const) {
    const v = c[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 1)) {
      throw new Error(`GPT config: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  const known = new Set<string>([...SIZES, "dropout", "bias", "headDim", "mlpHidden", "weightTypes"]);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`GPT config: unknown fields ${unknown.join(", ")}`);
  if (c.headDim === undefined && (c.nEmbd as number) % (c.nHead as number) !== 0) {
    throw new Error(`GPT config: nEmbd ${c.nEmbd} is not divisible by nHead ${c.nHead}`);
  }
  const { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias, headDim, mlpHidden } =
    c as unknown as GptConfig;
  return {
    vocabSize,
    blockSize,
    nLayer,
    nHead,
    nEmbd,
    dropout,
    bias,
    ...(headDim === undefined ? {} : { headDim }),
    ...(mlpHidden === undefined ? {} : { mlpHidden }),
    ...(c.weightTypes === undefined ? {} : { weightTypes: validateWeightTypes(c.weightTypes) }),
  };
}

function validateWeightTypes(value: unknown): GptWeightTypes {
  const v = value as Record<string, unknown> | null;
  if (
    v === null ||
    typeof v !== "object" ||
    typeof v.linear !== "string" ||
    typeof v.embedding !== "string"
  ) {
    throw new Error(
      `GPT config: weightTypes must be { linear, embedding } ggml type names, got ${JSON.stringify(value)}`,
    );
  }
  try {
    return { linear: parseQuantType(v.linear), embedding: parseQuantType(v.embedding) };
  } catch (error) {
    throw new Error(`GPT config: weightTypes: ${(error as Error).message}`);
  }
}

/**
 * Values of a GPT in closed form (the LM head shares the token embedding): embeddings
 * (V + block)·C; per layer, with A = nHead·headDim and H the MLP's width, the weights
 * 4AC + 2HC (12C² for GPT-2's shape) plus biases 3A + C + H + C and the norms' 4C (2C
 * without biases); and the final norm's 2C (C without bias).
 */
export function gptParameterCount(config: GptConfig): number {
  const { vocabSize: v, blockSize: t, nLayer: l, nEmbd: c, bias } = config;
  const a = config.nHead * gptHeadDim(config);
  const h = gptMlpHidden(config);
  const perLayer = 4 * a * c + 2 * h * c + (bias ? 3 * a + h + 6 * c : 2 * c);
  return (v + t) * c + l * perLayer + (bias ? 2 * c : c);
}
