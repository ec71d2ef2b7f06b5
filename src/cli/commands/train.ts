import { resolve } from "node:path";
import { Argument, Command, Option } from "commander";
import { MOBY_DICK } from "../../data/corpus.js";
import { defaultTarget } from "../../runtime/default-target.js";
import type { TrainingCallback } from "../../train/callbacks.js";
import { GPT_PRESETS, type GptTrainingSettings, presetSettings } from "../../train/gpt-settings.js";
import { jsonReporter } from "../../train/json-reporter.js";
import { progressReporter } from "../../train/progress-reporter.js";
import { LOG_FILE, type PreparedGptRun, trainGpt } from "../../train/train-gpt.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { rejectFlags } from "./model-flags.js";
import {
  CLASSIFIER_FLAGS,
  type ClassifierFlags,
  classifierOptions,
  trainClassifierFromFlags,
} from "./train-classifier.js";
import { trainNgramFromFlags } from "./train-ngram.js";
import { trainRecurrentFromFlags } from "./train-rnn.js";

interface TrainFlags {
  data?: string;
  preset: string;
  iters?: number;
  batchSize?: number;
  blockSize?: number;
  layers?: number;
  heads?: number;
  embd?: number;
  dropout?: number;
  lr?: number;
  warmup?: number;
  seed?: number;
  evalInterval?: number;
  evalBatches?: number;
  checkpointEvery?: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** The flags of the other models: recurrent LMs (hidden, level, maxVocab) and n-grams (order, level). */
interface ModelFlags extends TrainFlags {
  hidden?: number;
  level?: "char" | "word";
  maxVocab?: number;
  order?: number;
}

/** The flags each kind of model takes (by attribute name); any other is an error. */
const RUN_FLAGS = [
  "data",
  "preset",
  "iters",
  "batchSize",
  "blockSize",
  "layers",
  "embd",
  "dropout",
  "lr",
  "warmup",
  "seed",
  "evalInterval",
  "evalBatches",
  "checkpointEvery",
  "out",
  "resume",
  "json",
];
const RECURRENT_FLAGS = [...RUN_FLAGS, "hidden", "level", "maxVocab"];
const FLAGS_OF: Record<string, readonly string[]> = {
  gpt: [...RUN_FLAGS, "heads"],
  rnn: RECURRENT_FLAGS,
  lstm: RECURRENT_FLAGS,
  gru: RECURRENT_FLAGS,
  ngram: ["data", "order", "level", "out", "json"],
  classifier: CLASSIFIER_FLAGS,
};

/** Which setting each flag sets (flags that set nothing in the settings are not listed). */
const FLAG_SETTING: Partial<Record<keyof TrainFlags, keyof GptTrainingSettings>> = {
  data: "data",
  iters: "iterations",
  batchSize: "batchSize",
  blockSize: "blockSize",
  layers: "nLayer",
  heads: "nHead",
  embd: "nEmbd",
  dropout: "dropout",
  lr: "lr",
  warmup: "warmup",
  seed: "seed",
  evalInterval: "evalInterval",
  evalBatches: "evalBatches",
  checkpointEvery: "checkpointEvery",
};

/**
 * The preset with the flags applied. The schedule keeps the preset's shape when only some
 * of it is given: the warm-up stays the same share of the run, the floor the same share of
 * the peak learning rate, and checkpoints follow the evaluation interval.
 */
export function settingsFromFlags(flags: TrainFlags): {
  settings: GptTrainingSettings;
  explicit: (keyof GptTrainingSettings)[];
} {
  const preset = presetSettings(flags.preset);
  const settings: GptTrainingSettings = { ...preset };
  const explicit: (keyof GptTrainingSettings)[] = [];
  for (const [flag, key] of Object.entries(FLAG_SETTING) as [keyof TrainFlags, keyof GptTrainingSettings][]) {
    const value = flags[flag];
    if (value === undefined) continue;
    (settings as unknown as Record<string, unknown>)[key] = value;
    explicit.push(key);
  }
  // A checkpoint must find its corpus again from wherever it is resumed.
  if (settings.data !== MOBY_DICK) settings.data = resolve(settings.data);
  if (flags.iters !== undefined) {
    settings.decayIterations = settings.iterations;
    if (flags.warmup === undefined) {
      settings.warmup = Math.round((settings.iterations * preset.warmup) / preset.iterations);
    }
  }
  if (flags.lr !== undefined) settings.minLr = (settings.lr * preset.minLr) / preset.lr;
  if (flags.evalInterval !== undefined && flags.checkpointEvery === undefined) {
    settings.checkpointEvery = settings.evalInterval;
  }
  return { settings, explicit };
}

function describeRun(run: PreparedGptRun, out: string): string[] {
  const { settings: s, dataset, model, startIter } = run;
  const millions = (model.parameterCount() / 1e6).toFixed(2);
  const total = dataset.train.length + dataset.validation.length;
  return [
    `GPT: ${s.nLayer} layers, ${s.nHead} heads, embedding ${s.nEmbd}, block ${s.blockSize}: ` +
      `${millions}M parameters, vocabulary ${dataset.tokenizer.vocabSize} (${s.tokenizer})`,
    `data: ${dataset.source}, ${total} tokens (${dataset.train.length} train, ${dataset.validation.length} validation)`,
    `${startIter > 0 ? `resuming at iteration ${startIter} of` : "training for"} ${s.iterations} iterations, ` +
      `batch ${s.batchSize}, on the "${defaultTarget().name}" target; run directory ${out}, log ${LOG_FILE}`,
  ];
}

export function trainCommand(): Command {
  const positive = integerInRange(1, 1_000_000_000);
  const command = new Command("train")
    .description("train a model on a text corpus, with checkpoints and a JSON-lines log in --out")
    .addArgument(
      new Argument(
        "<model>",
        "the kind of model: a GPT, a recurrent LM, a Kneser-Ney n-gram model or a text classifier",
      ).choices(Object.keys(FLAGS_OF)),
    )
    .option("--data <source>", 'the corpus: "moby-dick" or a path to a UTF-8 text file (preset: moby-dick)')
    .option(
      "--preset <name>",
      `settings to start from, one of: ${Object.keys(GPT_PRESETS).join(", ")}`,
      "baby",
    )
    .option("--iters <n>", "optimizer steps (a new run's learning-rate schedule stretches to fit)", positive)
    .option("--batch-size <n>", "blocks per batch", positive)
    .option("--block-size <n>", "tokens per block (the context length)", positive)
    .option("--layers <n>", "Transformer blocks (gpt) or stacked recurrent layers (rnn, lstm, gru)", positive)
    .option("--heads <n>", "attention heads", positive)
    .option("--embd <n>", "embedding width (gpt: a multiple of --heads)", positive)
    .option("--hidden <n>", "recurrent state width (rnn, lstm, gru)", positive)
    .addOption(
      new Option(
        "--level <level>",
        "tokens: characters or whitespace-separated words (rnn, lstm, gru, ngram; default char)",
      ).choices(["char", "word"]),
    )
    .option(
      "--max-vocab <n>",
      "word level: keep the most frequent words, up to this many tokens",
      integerInRange(3, 1_000_000_000),
    )
    .option("--order <n>", "n-gram order: the longest n-gram counted (ngram)", integerInRange(1, 100))
    .option("--dropout <p>", "dropout probability", numberInRange(0, 0.999))
    .option("--lr <rate>", "peak learning rate (the floor scales with it)", numberInRange(0, 1e300))
    .option("--warmup <n>", "learning-rate warm-up iterations", integerInRange(0, 1_000_000_000))
    .option("--seed <n>", "seed for the initial weights, batches and dropout", integerInRange(0, 2 ** 32 - 1))
    .option("--eval-interval <n>", "iterations between evaluations", positive)
    .option("--eval-batches <n>", "random batches per split in an evaluation", positive)
    .option(
      "--checkpoint-every <n>",
      "iterations between checkpoints (default: the evaluation interval)",
      positive,
    )
    .option(
      "--out <dir>",
      "run directory for checkpoints and log.jsonl (default: runs/<preset>, runs/<model>-<preset> for rnn, lstm, gru); ngram: the ARPA file to write",
    )
    .option("--resume", "continue the run in --out from its latest checkpoint, if it has one")
    .option(
      "--json",
      "print one JSON object per evaluation: iter, trainLoss, valLoss, tokensPerSec, elapsedMs (ngram: one object for the model written)",
    )
    .action(async (model: string, flags: ModelFlags, command: Command) => {
      rejectFlags(command, FLAGS_OF[model]!, model);
      const print = (line: string) => process.stdout.write(`${line}\n`);
      if (model === "classifier") {
        trainClassifierFromFlags(flags as unknown as ClassifierFlags, print);
        return;
      }
      if (model === "ngram") {
        await trainNgramFromFlags(flags, print);
        return;
      }
      const callbacks: TrainingCallback[] = flags.json ? [jsonReporter()] : [progressReporter()];
      if (model !== "gpt") {
        trainRecurrentFromFlags(model as "rnn" | "lstm" | "gru", flags, callbacks, print);
        return;
      }
      const { settings, explicit } = settingsFromFlags(flags);
      const out = flags.out ?? `runs/${flags.preset}`;
      trainGpt({
        settings,
        explicit,
        out,
        resume: flags.resume === true,
        callbacks,
        onReady: (run) => {
          if (!flags.json) describeRun(run, out).forEach(print);
        },
      });
    });
  for (const option of classifierOptions()) command.addOption(option);
  return command;
}
