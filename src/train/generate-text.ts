// Text from a trained GPT: the prompt is encoded with the model's own tokenizer, and each
// sampled token is decoded and handed to `write` as soon as it is chosen, so a caller can
// stream it to a terminal.
import type { SamplingOptions } from "../text/sampling.js";
import type { LoadedGpt } from "./gpt-checkpoint.js";
import { createStreamingDecoder } from "./tokenizer.js";

export interface GenerateTextOptions {
  maxTokens: number;
  sampler?: SamplingOptions;
  seed?: number;
  /** Receives the prompt, then the text of each new token as it comes. */
  write?: (text: string) => void;
}

/** Continues `prompt`; returns the generated text (without the prompt). */
export function generateText(loaded: LoadedGpt, prompt: string, options: GenerateTextOptions): string {
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
  const decode = createStreamingDecoder(tokenizer);
  let text = "";
  write(prompt);
  model.generate([...promptIds], {
    maxTokens: options.maxTokens,
    seed: options.seed ?? 0,
    ...(options.sampler ? { sampler: options.sampler } : {}),
    onToken: (id) => {
      const piece = decode(id);
      text += piece;
      write(piece);
    },
  });
  return text;
}
