import { Command } from "commander";
import { readClassifierConfig } from "../../classify/classifier-checkpoint.js";
import { loadCorpus } from "../../data/corpus.js";
import { evaluateLanguageModel } from "../../train/evaluate-language-model.js";
import { loadLanguageModelCheckpoint } from "../../train/language-model-checkpoint.js";
import { readVisionConfig } from "../../vision/vision-checkpoint.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { evalClassifierFromFlags } from "./eval-classifier.js";
import { evalDrawFromFlags } from "./eval-draw.js";
import { evalImageClassifierFromFlags } from "./eval-image-classifier.js";
import { evalNgramFromFlags } from "./eval-ngram.js";
import { evalShapesFromFlags } from "./eval-shapes.js";
import { rejectFlags } from "./model-flags.js";

interface EvalFlags {
  checkpoint?: string;
  model?: string;
  data?: string;
  batches?: number;
  batchSize?: number;
  seed: number;
  json?: boolean;
  plots?: string;
  judge?: string;
  temperature?: number;
}

/** A number the checkpoint's training settings hold, if they hold it. */
function trainingNumber(training: Record<string, unknown>, key: string): number | undefined {
  const value = training[key];
  return typeof value === "number" ? value : undefined;
}

export function evalCommand(): Command {
  return new Command("eval")
    .description(
      "print a trained network's validation loss and perplexity on the last 10% of a corpus, an n-gram model's perplexity on a text, a classifier's held-out evaluation, or a shapes detector's, captioner's or retrieval model's held-out scores",
    )
    .option(
      "--checkpoint <dir>",
      "a GPT, rnn/lstm/gru, classifier, cnn, detector, captioner or retrieval run directory (its latest checkpoint) or a checkpoint folder",
    )
    .option(
      "--model <file>",
      "an n-gram model: an ARPA file, scored on all of --data (perplexity, OOVs, tokens)",
    )
    .option(
      "--data <source>",
      '"moby-dick" or a UTF-8 text file (default with --checkpoint: what the model was trained on)',
    )
    .option(
      "--batches <n>",
      "random batches to average (default: the run's evaluation batches)",
      integerInRange(1, 1_000_000),
    )
    .option("--batch-size <n>", "blocks per batch (default: the run's)", integerInRange(1, 1_000_000))
    .option("--seed <n>", "seed for choosing the batches", integerInRange(0, 2 ** 32 - 1), 0)
    .option(
      "--plots <dir>",
      "classifier: write confusion, ROC, precision-recall and calibration SVGs here; image classifier: misclassified.png and saliency.png (default: the run directory)",
    )
    .option("--judge <dir>", "digit generator (train cvae): a trained MNIST CNN that scores its drawings")
    .option(
      "--temperature <t>",
      "digit generator: scale of the latent draws the judge scores (default 1)",
      numberInRange(0, 10),
    )
    .option(
      "--json",
      "print one JSON object: valLoss, perplexity, batches, batchSize, blockSize, data (--model: perplexity, perplexityExcludingOovs, tokens, oovs, sentences, logProb, order, level, data)",
    )
    .action((flags: EvalFlags, command: Command) => {
      const print = (line: string) => process.stdout.write(`${line}\n`);
      if (flags.checkpoint !== undefined && flags.model !== undefined) {
        throw new Error("give --model or --checkpoint, not both");
      }
      if (flags.model !== undefined) {
        rejectFlags(command, ["model", "data", "json"], "n-gram");
        evalNgramFromFlags({ ...flags, model: flags.model }, print);
        return;
      }
      if (flags.checkpoint === undefined) {
        throw new Error("give --checkpoint DIR (a trained network) or --model FILE.arpa (an n-gram model)");
      }
      const vision = readVisionConfig(flags.checkpoint);
      if (vision?.task === "classify") {
        rejectFlags(command, ["checkpoint", "data", "json", "plots"], "image classifier");
        evalImageClassifierFromFlags({ ...flags, checkpoint: flags.checkpoint }, print);
        return;
      }
      if (vision?.task === "draw") {
        rejectFlags(command, ["checkpoint", "judge", "temperature", "seed", "json"], "digit generator");
        evalDrawFromFlags({ ...flags, checkpoint: flags.checkpoint }, print);
        return;
      }
      if (vision) {
        rejectFlags(command, ["checkpoint", "json"], vision.task);
        evalShapesFromFlags({ ...flags, checkpoint: flags.checkpoint }, vision, print);
        return;
      }
      const classifier = readClassifierConfig(flags.checkpoint);
      if (classifier) {
        rejectFlags(command, ["checkpoint", "data", "json", "plots"], "classifier");
        evalClassifierFromFlags({ ...flags, checkpoint: flags.checkpoint }, classifier, print);
        return;
      }
      const loaded = loadLanguageModelCheckpoint(flags.checkpoint);
      const training = loaded.config.training;
      const data = flags.data ?? (typeof training.data === "string" ? training.data : undefined);
      if (data === undefined) {
        throw new Error(`${loaded.path} does not say what it was trained on; pass --data`);
      }
      const batches = flags.batches ?? trainingNumber(training, "evalBatches") ?? 50;
      const batchSize = flags.batchSize ?? trainingNumber(training, "batchSize") ?? 12;
      const result = evaluateLanguageModel(loaded, loadCorpus(data), {
        batches,
        batchSize,
        seed: flags.seed,
      });
      const blockSize = loaded.blockSize;
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
