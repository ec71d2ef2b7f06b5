import { Command } from "commander";
import { loadCorpus } from "../../data/corpus.js";
import { evaluateGpt } from "../../train/evaluate-gpt.js";
import { loadGptCheckpoint } from "../../train/gpt-checkpoint.js";
import { integerInRange } from "../parse-integer.js";

interface EvalFlags {
  checkpoint: string;
  data?: string;
  batches?: number;
  batchSize?: number;
  seed: number;
  json?: boolean;
}

/** A number the checkpoint's training settings hold, if they hold it. */
function trainingNumber(training: Record<string, unknown>, key: string): number | undefined {
  const value = training[key];
  return typeof value === "number" ? value : undefined;
}

export function evalCommand(): Command {
  return new Command("eval")
    .description("print a trained GPT's validation loss and perplexity on the last 10% of a corpus")
    .requiredOption("--checkpoint <dir>", "a run directory (its latest checkpoint) or a checkpoint folder")
    .option("--data <source>", '"moby-dick" or a UTF-8 text file (default: what the model was trained on)')
    .option(
      "--batches <n>",
      "random batches to average (default: the run's evaluation batches)",
      integerInRange(1, 1_000_000),
    )
    .option("--batch-size <n>", "blocks per batch (default: the run's)", integerInRange(1, 1_000_000))
    .option("--seed <n>", "seed for choosing the batches", integerInRange(0, 2 ** 32 - 1), 0)
    .option("--json", "print one JSON object: valLoss, perplexity, batches, batchSize, blockSize, data")
    .action((flags: EvalFlags) => {
      const loaded = loadGptCheckpoint(flags.checkpoint);
      const training = loaded.config.training;
      const data = flags.data ?? (typeof training.data === "string" ? training.data : undefined);
      if (data === undefined) {
        throw new Error(`${loaded.path} does not say what it was trained on; pass --data`);
      }
      const batches = flags.batches ?? trainingNumber(training, "evalBatches") ?? 50;
      const batchSize = flags.batchSize ?? trainingNumber(training, "batchSize") ?? 12;
      const result = evaluateGpt(loaded, loadCorpus(data), { batches, batchSize, seed: flags.seed });
      const blockSize = loaded.model.config.blockSize;
      if (flags.json) {
        const { valLoss, perplexity } = result;
        process.stdout.write(
          `${JSON.stringify({ valLoss, perplexity, batches, batchSize, blockSize, data })}\n`,
        );
        return;
      }
      process.stdout.write(
        `validation loss ${result.valLoss.toFixed(4)}, perplexity ${result.perplexity.toFixed(2)}\n` +
          `(${batches} random batches of ${batchSize} × ${blockSize} tokens from the last 10% of ${data}, ` +
          `${result.validationTokens} tokens)\n`,
      );
    });
}
