import { Command } from "commander";
import { generateText } from "../../train/generate-text.js";
import { loadGptCheckpoint } from "../../train/gpt-checkpoint.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

interface GenerateFlags {
  checkpoint: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
}

export function generateCommand(): Command {
  return new Command("generate")
    .description("continue a prompt with a trained GPT, printing each token as it is sampled")
    .requiredOption("--checkpoint <dir>", "a run directory (its latest checkpoint) or a checkpoint folder")
    .requiredOption("--prompt <text>", "the text to continue")
    .option("--max-tokens <n>", "tokens to generate", integerInRange(0, 1_000_000), 200)
    .option(
      "--temperature <t>",
      "0 picks the most likely token; higher is more random",
      numberInRange(0, 100),
      1,
    )
    .option("--top-k <k>", "sample from the k most likely tokens only", integerInRange(1, 1_000_000_000))
    .option(
      "--top-p <p>",
      "sample from the most likely tokens covering probability p",
      numberInRange(1e-9, 1),
    )
    .option("--seed <n>", "seed for sampling", integerInRange(0, 2 ** 32 - 1), 0)
    .action((flags: GenerateFlags) => {
      const loaded = loadGptCheckpoint(flags.checkpoint);
      generateText(loaded, flags.prompt, {
        maxTokens: flags.maxTokens,
        seed: flags.seed,
        sampler: {
          temperature: flags.temperature,
          ...(flags.topK === undefined ? {} : { topK: flags.topK }),
          ...(flags.topP === undefined ? {} : { topP: flags.topP }),
        },
        write: (text) => process.stdout.write(text),
      });
      process.stdout.write("\n");
    });
}
