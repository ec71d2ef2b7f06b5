import { Argument, Command, Option } from "commander";
import type { TrainingCallback } from "../../train/callbacks.js";
import { GPT_PRESETS } from "../../train/gpt-settings.js";
import { jsonReporter } from "../../train/json-reporter.js";
import { progressReporter } from "../../train/progress-reporter.js";
import { parseBits } from "../parse-bits.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";
import { rejectFlags } from "./model-flags.js";
import {
  CLASSIFIER_FLAGS,
  type ClassifierFlags,
  classifierOptions,
  trainClassifierFromFlags,
} from "./train-classifier.js";
import { CNN_FLAGS, type CnnFlags, trainCnnFromFlags } from "./train-cnn.js";
import { CVAE_FLAGS, type CvaeFlags, cvaeOptions, trainCvaeFromFlags } from "./train-cvae.js";
import {
  LANGUAGE_MODELS,
  type LanguageModelFlags,
  languageModelFlags,
  settingsFromFlags,
  trainLanguageModelFromFlags,
} from "./train-language-model.js";
import { trainNgramFromFlags } from "./train-ngram.js";
import {
  SPEECH_FLAGS,
  seq2seqOptions,
  TRANSLATE_FLAGS,
  trainSpeechFromFlags,
  trainTranslationFromFlags,
} from "./train-seq2seq.js";
import {
  SHAPES_FLAGS,
  SHAPES_MODELS,
  type ShapesFlags,
  type ShapesModel,
  trainShapesFromFlags,
} from "./train-shapes.js";

/** The flags of the other models: n-grams (order, level) and classifiers. */
interface ModelFlags extends LanguageModelFlags {
  order?: number;
}

/** The flags each kind of model takes (by attribute name); any other is an error. */
const FLAGS_OF: Record<string, readonly string[]> = {
  ...Object.fromEntries(Object.keys(LANGUAGE_MODELS).map((model) => [model, languageModelFlags(model)])),
  ngram: ["data", "order", "level", "out", "json"],
  classifier: CLASSIFIER_FLAGS,
  cnn: CNN_FLAGS,
  cvae: CVAE_FLAGS,
  translate: TRANSLATE_FLAGS,
  speech: SPEECH_FLAGS,
  ...Object.fromEntries(SHAPES_MODELS.map((model) => [model, SHAPES_FLAGS])),
};

export { settingsFromFlags };

export function trainCommand(): Command {
  const positive = integerInRange(1, 1_000_000_000);
  const command = new Command("train")
    .description("train a model on a text corpus, with checkpoints and a JSON-lines log in --out")
    .addArgument(
      new Argument(
        "<model>",
        "the kind of model: a GPT, a recurrent LM, a Kneser-Ney n-gram model, a text classifier, an image CNN, a conditional VAE drawing digits from their names, a detector, captioner or image–text retrieval model of generated shapes, a translation model or a speech recogniser",
      ).choices(Object.keys(FLAGS_OF)),
    )
    .option(
      "--data <source>",
      'the corpus: "moby-dick" or a path to a UTF-8 text file (preset: moby-dick); cnn: "mnist" or a folder of <class>/<image>.png; cvae: "mnist"; detector, captioner, retrieval: "shapes"',
    )
    .option(
      "--preset <name>",
      `settings to start from, one of: ${Object.keys(GPT_PRESETS).join(", ")}`,
      "baby",
    )
    .option("--iters <n>", "optimizer steps (a new run's learning-rate schedule stretches to fit)", positive)
    .option("--batch-size <n>", "blocks per batch (cnn: images per batch)", positive)
    .option("--block-size <n>", "tokens per block (the context length)", positive)
    .option("--layers <n>", "Transformer blocks (gpt) or stacked recurrent layers (rnn, lstm, gru)", positive)
    .option("--heads <n>", "attention heads", positive)
    .option(
      "--embd <n>",
      "embedding width (gpt: a multiple of --heads; detector, captioner, retrieval: the image encoder's last conv width, a multiple of 4; cvae: the word embedding)",
      positive,
    )
    .option("--hidden <n>", "recurrent state width (rnn, lstm, gru); cvae: hidden layer width", positive)
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
    .option(
      "--scenes <n>",
      "detector, captioner, retrieval: training scenes to generate (held out: a quarter, 100 to 500)",
      positive,
    )
    .option("--order <n>", "n-gram order: the longest n-gram counted (ngram)", integerInRange(1, 100))
    .option("--dropout <p>", "dropout probability", numberInRange(0, 0.999))
    .option("--batch-norm", "cnn: batch norm after each convolution")
    .option("--lr <rate>", "peak learning rate (the floor scales with it)", numberInRange(0, 1e300))
    .option("--warmup <n>", "learning-rate warm-up iterations", integerInRange(0, 1_000_000_000))
    .option("--seed <n>", "seed for the initial weights, batches and dropout", integerInRange(0, 2 ** 32 - 1))
    .option(
      "--qat <bits>",
      "quantization-aware training: Linear weights train through 8- or 4-bit fake quantization (then: infiniset quantize --bits)",
      parseBits,
    )
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
      if (model === "cnn") {
        trainCnnFromFlags(flags as unknown as CnnFlags, print);
        return;
      }
      if (model === "cvae") {
        trainCvaeFromFlags(flags as unknown as CvaeFlags, print);
        return;
      }
      if ((SHAPES_MODELS as readonly string[]).includes(model)) {
        trainShapesFromFlags(model as ShapesModel, flags as unknown as ShapesFlags, print);
        return;
      }
      if (model === "ngram") {
        await trainNgramFromFlags(flags, print);
        return;
      }
      const callbacks: TrainingCallback[] = flags.json ? [jsonReporter()] : [progressReporter()];
      if (model === "translate") return trainTranslationFromFlags(flags, callbacks, print);
      if (model === "speech") return trainSpeechFromFlags(flags, callbacks, print);
      trainLanguageModelFromFlags(model, flags, callbacks, print);
    });
  for (const option of [...classifierOptions(), ...seq2seqOptions(), ...cvaeOptions()])
    command.addOption(option);
  return command;
}
