// Text from a trained language model (a GPT or a recurrent LM): the prompt is encoded with
// the model's own tokenizer, and each sampled token is decoded and handed to `write` as
// soon as it is chosen, so a caller can stream it to a terminal.
import type { GenerateOptions, SamplingOptions, TokenChoice } from "../text/sampling.js";
import { createStreamingDecoder, type TextTokenizer } from "./tokenizer.js";

/** What generating needs of a loaded model: a sampling loop over token ids, and its tokenizer. */
export interface GenerativeModel {
  model: { generate(promptIds: readonly number[], options: GenerateOptions): number[] };
  tokenizer: TextTokenizer;
}

export interface GenerateTextOptions {
  maxTokens: number;
  sampler?: SamplingOptions;
  seed?: number;
  /** Receives the prompt, then the text of each new token as it comes. */
  write?: (text: string) => void;
  /**
   * Receives each new token with the model's probability for it and for the
   * `alternatives` most likely tokens (default 5), each with its text.
   */
  onToken?: (token: GeneratedToken) => void;
  alternatives?: number;
}

/** One generated token as text, with what the model thought of it. */
export interface GeneratedToken {
  readonly text: string;
  readonly id: number;
  readonly probability: number;
  readonly alternatives: readonly {
    readonly text: string;
    readonly id: number;
    readonly probability: number;
  }[];
}

/** Continues `prompt`; returns the generated text (without the prompt). */
export function generateText(loaded: GenerativeModel, prompt: string, options: GenerateTextOptions): string {
  const { model, tokenizer } = loaded;
  if (prompt.length === 0)
    throw new Error("the prompt is empty; generation needs at least one token to continue");
  let promptIds: Int32Array;
  try {
    promptIds = tokenizer.encode(prompt);
  } catch (error) {
    throw new Error(`the prompt does not fit the model's vocabulary: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const write = options.write ?? (() => {});
  const decode = createStreamingDecoder(tokenizer, prompt);
  let text = "";
  write(prompt);
  model.generate([...promptIds], {
    maxTokens: options.maxTokens,
    seed: options.seed ?? 0,
    ...(options.sampler ? { sampler: options.sampler } : {}),
    ...(options.onToken ? { alternatives: options.alternatives ?? 5 } : {}),
    onToken: (id, choice?: TokenChoice) => {
      const piece = decode(id);
      text += piece;
      write(piece);
      if (choice && options.onToken) {
        options.onToken({
          text: piece,
          id,
          probability: choice.probability,
          alternatives: choice.alternatives.map((a) => ({ ...a, text: tokenizer.decode([a.id]) })),
        });
      }
    },
  });
  return text;
}
