// `infiniset distill`: train a small student on a trained teacher's soft targets. A GPT
// teacher (a language-model checkpoint) gets a GPT student trained by the one
// language-model run with `distillation` in its settings (checkpoints, --resume, log); the
// same flags without --teacher are `train gpt`, the student trained alone. A classifier
// teacher gets a neural classifier student (cnn, transformer).
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { readClassifierConfig } from "../../classify/classifier-checkpoint.js";
import { readCheckpointConfig } from "../../train/checkpoint.js";
import { GPT_PRESETS } from "../../train/gpt-settings.js";
import { jsonReporter } from "../../train/json-reporter.js";
import { progressReporter } from "../../train/progress-reporter.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { distillClassifierFromFlags } from "./distill-classifier.js";
import { type LanguageModelFlags, trainLanguageModelFromFlags } from "./train-language-model.js";

interface DistillFlags extends Omit<LanguageModelFlags, "preset"> {
  teacher: string;
  studentPreset: string;
  student?: string;
  temperature: number;
  alpha: number;
  epochs?: number;
  maxTokens?: number;
}

export function distillCommand(): Command {
  const positive = integerInRange(1, 1_000_000_000);
  return new Command("distill")
    .description(
      "train a small student on a trained teacher's soft targets (temperature-softened distributions, KL mixed with the true-label loss): a GPT from a GPT checkpoint, or a neural classifier from a classifier",
    )
    .requiredOption("--teacher <dir>", "the trained teacher: a GPT run directory or a classifier directory")
    .option(
      "--student-preset <name>",
      `GPT student: settings to start from, one of: ${Object.keys(GPT_PRESETS).join(", ")}`,
      "baby",
    )
    .addOption(
      new Option("--student <kind>", "classifier student: the network (default cnn)").choices([
        "cnn",
        "transformer",
      ]),
    )
    .option(
      "--temperature <t>",
      "softens teacher and student distributions (1: as they are)",
      numberInRange(0.01, 100),
      2,
    )
    .option(
      "--alpha <a>",
      "weight of the soft-target loss; the true labels get 1 − alpha",
      (value: string) => {
        const a = Number(value);
        if (value.trim() === "" || !(a >= 0 && a <= 1))
          throw new InvalidArgumentError("expected a number from 0 to 1.");
        return a;
      },
      0.5,
    )
    .option("--data <source>", "GPT student: the corpus (default: the teacher's)")
    .option("--iters <n>", "GPT student: optimizer steps", positive)
    .option("--batch-size <n>", "GPT student: blocks per batch", positive)
    .option("--block-size <n>", "GPT student: tokens per block", positive)
    .option("--layers <n>", "GPT student: Transformer blocks", positive)
    .option("--heads <n>", "GPT student: attention heads", positive)
    .option("--embd <n>", "GPT student: embedding width", positive)
    .option("--dropout <p>", "GPT student: dropout probability", numberInRange(0, 0.999))
    .option("--lr <rate>", "GPT student: peak learning rate", numberInRange(0, 1e300))
    .option("--warmup <n>", "GPT student: learning-rate warm-up iterations", integerInRange(0, 1_000_000_000))
    .option("--eval-interval <n>", "GPT student: iterations between evaluations", positive)
    .option("--eval-batches <n>", "GPT student: random batches per split in an evaluation", positive)
    .option("--checkpoint-every <n>", "GPT student: iterations between checkpoints", positive)
    .option("--epochs <n>", "classifier student: passes over the data", integerInRange(1, 10_000))
    .option("--max-tokens <n>", "classifier student: tokens kept per text", integerInRange(8, 100_000))
    .option("--seed <n>", "seed for the student's weights and batches", integerInRange(0, 2 ** 32 - 1))
    .requiredOption("--out <dir>", "the student's run directory")
    .option("--resume", "GPT student: continue the run in --out from its latest checkpoint")
    .option("--json", "print one JSON object per evaluation (classifier: one for the result)")
    .action((flags: DistillFlags) => {
      const print = (line: string) => process.stdout.write(`${line}\n`);
      const classifier = readClassifierConfig(flags.teacher);
      if (classifier) {
        distillClassifierFromFlags({ ...flags, out: flags.out! }, classifier, print);
        return;
      }
      if (flags.student !== undefined)
        throw new Error("--student is for classifier teachers; a GPT teacher's student is a GPT");
      const teacher = resolve(flags.teacher);
      const { config } = readCheckpointConfig(teacher);
      const data =
        flags.data ?? (typeof config.training.data === "string" ? config.training.data : undefined);
      if (data === undefined) throw new Error(`${teacher} does not say what it was trained on; pass --data`);
      if (flags.epochs !== undefined || flags.maxTokens !== undefined) {
        throw new Error("--epochs and --max-tokens are for classifier students; a GPT student takes --iters");
      }
      const studentFlags: LanguageModelFlags = { ...flags, data, preset: flags.studentPreset };
      trainLanguageModelFromFlags(
        "gpt",
        studentFlags,
        [flags.json ? jsonReporter() : progressReporter()],
        print,
        { distillation: { teacher, temperature: flags.temperature, alpha: flags.alpha } },
      );
    });
}
