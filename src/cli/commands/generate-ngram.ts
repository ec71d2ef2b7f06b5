// `infiniset generate --model FILE.arpa`: text sampled from an ARPA n-gram model, sentence
// after sentence (one per line) until --max-tokens tokens have been drawn.
import type { NgramLanguageModel } from "../../models/ngram/model.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { readArpaFile } from "./eval-ngram.js";

export interface NgramGenerateFlags {
  model: string;
  prompt?: string;
  maxTokens: number;
  temperature: number;
  seed: number;
}

/** Sentences from `model`, each continuing the prompt's first; returns the lines. */
export function sampleNgramText(
  model: NgramLanguageModel,
  options: { prompt?: string; maxTokens: number; temperature: number; seed: number },
): string[] {
  if (!(options.temperature > 0)) {
    throw new Error("an n-gram model samples with --temperature above 0 (it has no greedy mode)");
  }
  const lines: string[] = [];
  let left = options.maxTokens;
  // Each sentence draws from its own seed, drawn from --seed, so a run is reproducible.
  const seeds = new SeededRng(options.seed);
  for (let sentence = 0; left > 0; sentence++) {
    const prefix = sentence === 0 && options.prompt !== undefined ? options.prompt : "";
    const { text, tokens } = model.sample({
      seed: seeds.nextUint32(),
      maxTokens: left,
      prefix,
      temperature: options.temperature,
    });
    const separator = model.level === "word" && prefix !== "" && text !== "" ? " " : "";
    lines.push(prefix + separator + text);
    // A sentence that ends at once still counts its </s>, so the loop always moves on.
    left -= Math.max(1, tokens.length);
  }
  return lines;
}

export function generateNgramFromFlags(flags: NgramGenerateFlags, write: (text: string) => void): void {
  const model = readArpaFile(flags.model);
  const lines = sampleNgramText(model, {
    ...(flags.prompt === undefined ? {} : { prompt: flags.prompt }),
    maxTokens: flags.maxTokens,
    temperature: flags.temperature,
    seed: flags.seed,
  });
  write(`${lines.join("\n")}\n`);
}
