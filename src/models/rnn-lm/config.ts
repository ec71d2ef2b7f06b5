/** The recurrent layer a language model is built on. */
export type RecurrentKind = "rnn" | "lstm" | "gru";

export const RECURRENT_KINDS: readonly RecurrentKind[] = ["rnn", "lstm", "gru"];

/** The shape of a recurrent language model; plain JSON, so a checkpoint can store it. */
export interface RnnLmConfig {
  kind: RecurrentKind;
  /** Number of token ids. */
  vocabSize: number;
  /** Width of the token embedding, the first layer's input. */
  embeddingSize: number;
  /** Width of every recurrent layer's state h (and c for an LSTM). */
  hiddenSize: number;
  /** Stacked recurrent layers. */
  numLayers: number;
  /** Dropout on the embeddings, between recurrent layers and before the head. */
  dropout: number;
}

const SIZES = ["vocabSize", "embeddingSize", "hiddenSize", "numLayers"] as const;

/** Gate blocks per weight matrix: how many H-sized rows a layer's weights have per unit. */
export function gateCount(kind: RecurrentKind): number {
  return kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
}

/**
 * Checks a config (for instance one read from a checkpoint's JSON) and returns it typed.
 * Every problem is named with the field and the value found.
 */
export function validateRnnLmConfig(config: unknown): RnnLmConfig {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new Error("recurrent LM config: expected an object");
  }
  const c = config as Record<string, unknown>;
  if (!RECURRENT_KINDS.includes(c.kind as RecurrentKind)) {
    throw new Error(
      `recurrent LM config: kind must be one of ${RECURRENT_KINDS.join(", ")}, got ${JSON.stringify(c.kind)}`,
    );
  }
  for (const key of SIZES) {
    const v = c[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`recurrent LM config: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof c.dropout !== "number" || !(c.dropout >= 0 && c.dropout < 1)) {
    throw new Error(
      `recurrent LM config: dropout must be a number in [0, 1), got ${JSON.stringify(c.dropout)}`,
    );
  }
  const known = new Set<string>(["kind", ...SIZES, "dropout"]);
  const unknown = Object.keys(c).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`recurrent LM config: unknown fields ${unknown.join(", ")}`);
  const { kind, vocabSize, embeddingSize, hiddenSize, numLayers, dropout } = c as unknown as RnnLmConfig;
  return { kind, vocabSize, embeddingSize, hiddenSize, numLayers, dropout };
}

/**
 * Trainable values in closed form: the embedding V·E; per layer G·H·(in + H) weights and
 * 2·G·H biases (in = E for the first layer, H after it, G gate blocks); the head H·V + V.
 */
export function rnnLmParameterCount(config: RnnLmConfig): number {
  const { kind, vocabSize: v, embeddingSize: e, hiddenSize: h, numLayers } = config;
  const g = gateCount(kind);
  let recurrent = 0;
  for (let layer = 0; layer < numLayers; layer++)
    recurrent += g * h * ((layer === 0 ? e : h) + h) + 2 * g * h;
  return v * e + recurrent + h * v + v;
}
