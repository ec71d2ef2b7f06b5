import { SeededRng } from "../../random/seeded-rng.js";
import { type GenerateOptions, reportToken, sampleToken } from "../../text/sampling.js";
import { DecodingSession } from "./decoding-session.js";
import type { Gpt } from "./gpt.js";

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
      if (reportToken(options, session.logits, id) === false) break;
      // The last token needs no logits after it.
      if (generated.length < maxTokens) session.append(id);
    }
    return generated;
  } finally {
    model.train(wasTraining);
  }
}
