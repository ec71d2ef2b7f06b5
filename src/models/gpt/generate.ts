import { SeededRng } from "../../random/seeded-rng.js";
import { type SamplingOptions, sampleToken } from "../../text/sampling.js";
import { DecodingSession } from "./decoding-session.js";
import type { Gpt } from "./gpt.js";

export interface GenerateOptions {
  /** How many tokens to produce at most. */
  maxTokens: number;
  /**
   * Temperature, top-k, top-p, min-p and repetition penalty (see `sampleToken`). The
   * repetition penalty looks at the prompt and everything generated unless
   * `previousTokens` is given.
   */
  sampler?: SamplingOptions;
  /** The sampling generator; its state advances, so a caller can save and continue it. */
  rng?: SeededRng;
  /** Seeds a new sampling generator when no `rng` is given (default 0). */
  seed?: number;
  /** Called with each token as soon as it is chosen; returning `false` stops generation. */
  onToken?: (id: number) => unknown;
}

/** The loop behind `Gpt.generate`: sample from the session's logits, append, repeat. */
export function generateTokens(model: Gpt, promptIds: readonly number[], options: GenerateOptions): number[] {
  const { maxTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new Error(`generate: maxTokens must be a non-negative integer, got ${maxTokens}`);
  }
  const rng = options.rng ?? new SeededRng(options.seed ?? 0);
  const wasTraining = model.training;
  model.eval();
  try {
    const session = new DecodingSession(model, promptIds);
    const generated: number[] = [];
    while (generated.length < maxTokens) {
      const sampler = { previousTokens: session.tokens, ...options.sampler };
      const id = sampleToken(session.logits, rng, sampler);
      generated.push(id);
      if (options.onToken?.(id) === false) break;
      // The last token needs no logits after it.
      if (generated.length < maxTokens) session.append(id);
    }
    return generated;
  } finally {
    model.train(wasTraining);
  }
}
