import { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { Tensor } from "../../tensor/tensor.js";
import type { GenerateOptions } from "../../text/sampling.js";
import { reportToken, sampleToken } from "../../text/sampling.js";
import type { RnnLm, RnnLmState } from "./rnn-lm.js";

/**
 * The loop behind `RnnLm.generate`. The prompt runs in one call; after that every step
 * feeds one token and the state of the step before, so every step has the same graph and
 * reuses one compiled program, however long the text grows.
 */
export function generateRnnTokens(
  model: RnnLm,
  promptIds: readonly number[],
  options: GenerateOptions,
): number[] {
  const { maxTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new Error(`generate: maxTokens must be a non-negative integer, got ${maxTokens}`);
  }
  if (promptIds.length === 0) throw new Error("generate: the prompt needs at least one token");
  const vocab = model.config.vocabSize;
  for (const id of promptIds) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new Error(`generate: token id ${id} is outside the vocabulary [0, ${vocab})`);
    }
  }
  const rng = options.rng ?? new SeededRng(options.seed ?? 0);
  const tokens = [...promptIds];
  const wasTraining = model.training;
  model.eval();
  try {
    let { logits, state } = run(model, promptIds);
    const generated: number[] = [];
    while (generated.length < maxTokens) {
      const sampler = { previousTokens: tokens, ...options.sampler };
      const id = sampleToken(logits, rng, sampler);
      generated.push(id);
      tokens.push(id);
      if (reportToken(options, logits, id) === false) break;
      // The last token needs no logits after it.
      if (generated.length < maxTokens) ({ logits, state } = run(model, [id], state));
    }
    return generated;
  } finally {
    model.train(wasTraining);
  }
}

/** Runs ids through the model from `state`; returns the last position's logits and the new state. */
function run(
  model: RnnLm,
  ids: readonly number[],
  state?: RnnLmState,
): { logits: Float32Array; state: RnnLmState } {
  return noGrad(() => {
    const out = model.forward(tensor(ids, [1, ids.length], { dtype: "int32" }), state);
    const vocab = model.config.vocabSize;
    const last = out.logits.slice([0, ids.length - 1, 0], [1, ids.length, vocab]);
    // One program for the logits and the state, so the next step reads the state's values.
    Tensor.realize(last, out.state.h, ...(out.state.c ? [out.state.c] : []));
    return { logits: last.dataSync() as Float32Array, state: out.state };
  });
}
