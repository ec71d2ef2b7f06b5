// Batch jobs over a corpus, inside the worker's child process: score each text with a trained
// language model (loss per token over consecutive blocks, and perplexity), or continue each
// prompt. The checkpoint is loaded once per job; a bad item (a character the vocabulary
// lacks, a text too short to score) gets an error of its own and the others go on.

import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { generateText } from "../train/generate-text.js";
import { type LoadedLanguageModel, loadLanguageModelCheckpoint } from "../train/language-model-checkpoint.js";
import type { EvalTextsJob, GenerateTextsJob, ItemResult, JobProgress } from "./job.js";

/** Mean next-token loss of `text` over consecutive blocks of the model's block size, each scored without earlier context. */
export function scoreText(
  loaded: LoadedLanguageModel,
  text: string,
): { tokens: number; loss: number; perplexity: number } {
  const ids = loaded.tokenizer.encode(text);
  if (ids.length < 2)
    throw new Error(
      `the text has ${ids.length} token${ids.length === 1 ? "" : "s"}; scoring needs at least 2`,
    );
  const { model, blockSize } = loaded;
  model.train(false);
  let total = 0;
  const predicted = ids.length - 1;
  for (let start = 0; start < predicted; start += blockSize) {
    const length = Math.min(blockSize, predicted - start);
    const input = tensor(ids.subarray(start, start + length), [1, length], { dtype: "int32" });
    const target = tensor(ids.subarray(start + 1, start + 1 + length), [1, length], { dtype: "int32" });
    total += noGrad(() => model.loss(input, target)).item() * length;
  }
  const loss = total / predicted;
  return { tokens: ids.length, loss, perplexity: Math.exp(loss) };
}

function eachItem(
  items: readonly { index: number; text: string }[],
  report: (progress: JobProgress) => void,
  work: (text: string, index: number) => Record<string, unknown>,
): ItemResult[] {
  return items.map(({ index, text }, i) => {
    let result: ItemResult;
    try {
      result = { index, ...work(text, index) };
    } catch (error) {
      result = { index, error: (error as Error).message };
    }
    report({ done: i + 1, total: items.length });
    return result;
  });
}

export function runEvalTextsJob(job: EvalTextsJob, report: (progress: JobProgress) => void): ItemResult[] {
  const loaded = loadLanguageModelCheckpoint(job.checkpoint);
  return eachItem(job.items, report, (text) => scoreText(loaded, text));
}

export function runGenerateTextsJob(
  job: GenerateTextsJob,
  report: (progress: JobProgress) => void,
): ItemResult[] {
  const loaded = loadLanguageModelCheckpoint(job.checkpoint);
  const sampler = {
    temperature: job.temperature,
    ...(job.topK === undefined ? {} : { topK: job.topK }),
    ...(job.topP === undefined ? {} : { topP: job.topP }),
  };
  // Each prompt's seed is its index's, so its text does not depend on how the prompts were split into jobs.
  return eachItem(job.items, report, (prompt, index) => ({
    prompt,
    text: generateText(loaded, prompt, {
      maxTokens: job.maxTokens,
      seed: (job.seed + index) % 2 ** 32,
      sampler,
    }),
  }));
}
