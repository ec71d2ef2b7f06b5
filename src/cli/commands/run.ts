import { Command } from "commander";
import { loadGgufModel } from "../../models/llama/load.js";
import {
  type GenerationSession,
  type GenerationStats,
  GenerationSession as Session,
} from "../../models/llama/session.js";
import type { SamplingOptions } from "../../text/sampling.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

export interface SamplingFlags {
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  minP?: number;
  repeatPenalty?: number;
  seed: number;
  context?: number;
}

/** The sampling and context flags `run` and `chat` share. */
export function withSamplingOptions(command: Command, maxTokens: number): Command {
  return command
    .option("--max-tokens <n>", "tokens to generate at most", integerInRange(0, 1_000_000), maxTokens)
    .option(
      "--temperature <t>",
      "0 picks the most likely token; higher is more random",
      numberInRange(0, 100),
      0.8,
    )
    .option("--top-k <k>", "sample from the k most likely tokens only", integerInRange(1, 1_000_000_000), 40)
    .option(
      "--top-p <p>",
      "sample from the most likely tokens covering probability p",
      numberInRange(1e-9, 1),
      0.95,
    )
    .option(
      "--min-p <p>",
      "drop tokens less likely than p times the most likely one",
      numberInRange(0, 1),
      0.05,
    )
    .option("--repeat-penalty <r>", "> 1 discourages repeating tokens", numberInRange(0.01, 100))
    .option("--seed <n>", "seed for sampling", integerInRange(0, 2 ** 32 - 1), 0)
    .option(
      "--context <n>",
      "positions the KV cache holds (default: the model's context length)",
      integerInRange(1, 1 << 20),
    );
}

export function samplerOf(flags: SamplingFlags): SamplingOptions {
  return {
    temperature: flags.temperature,
    ...(flags.topK === undefined ? {} : { topK: flags.topK }),
    ...(flags.topP === undefined ? {} : { topP: flags.topP }),
    ...(flags.minP === undefined ? {} : { minP: flags.minP }),
    ...(flags.repeatPenalty === undefined ? {} : { repetitionPenalty: flags.repeatPenalty }),
  };
}

export function openSession(
  path: string,
  flags: SamplingFlags,
  log: (text: string) => void,
): GenerationSession {
  const started = performance.now();
  const { model, tokenizer, name } = loadGgufModel(path);
  const { config } = model;
  const capacity = Math.min(flags.context ?? config.contextLength, config.contextLength);
  log(
    `${name}: ${config.architecture}, ${config.nLayer} layers, ${config.embd} wide, ${config.nHead} heads (${config.nHeadKv} kv), vocabulary ${config.vocabSize}; loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return new Session(model, tokenizer, capacity);
}

export function statsLine(stats: GenerationStats): string {
  const rate = (tokens: number, ms: number) => (ms > 0 ? (tokens / ms) * 1000 : 0).toFixed(1);
  return `prompt ${stats.promptTokens} tokens in ${stats.prefillMs.toFixed(0)} ms (${rate(stats.promptTokens, stats.prefillMs)} tok/s), generated ${stats.generatedTokens} in ${stats.decodeMs.toFixed(0)} ms (${rate(stats.generatedTokens, stats.decodeMs)} tok/s), first token after ${stats.firstTokenMs.toFixed(0)} ms`;
}

interface RunFlags extends SamplingFlags {
  prompt: string;
  stats: boolean;
}

export function runCommand(): Command {
  return withSamplingOptions(
    new Command("run")
      .description(
        "continue a prompt with a pretrained model from a GGUF file, printing text as it is generated",
      )
      .argument("<model>", "a .gguf file (architectures llama, qwen2, gpt2)")
      .requiredOption("--prompt <text>", "the text to continue")
      .option("--no-stats", "do not print timings to stderr"),
    200,
  ).action((path: string, flags: RunFlags) => {
    const log = (text: string) => process.stderr.write(text);
    const session = openSession(path, flags, flags.stats ? log : () => {});
    const promptIds = session.tokenizer.encode(flags.prompt);
    if (promptIds.length === 0) throw new Error("the prompt encodes to no tokens");
    process.stdout.write(flags.prompt);
    const { stats } = session.generate(promptIds, {
      maxTokens: flags.maxTokens,
      sampler: samplerOf(flags),
      seed: flags.seed,
      onText: (text) => process.stdout.write(text),
    });
    process.stdout.write("\n");
    if (flags.stats) log(`${statsLine(stats)}\n`);
  });
}
