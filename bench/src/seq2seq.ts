// seq2seq: what the encoder–decoders and the speech recognisers reach on held-out data.
//   translate  a Transformer encoder–decoder on generated number sentences (--src, --tgt;
//              default en → fr), scored on held-out number ranges and phrase patterns: exact
//              match, BLEU and chrF (src/metrics, checked against sacrebleu), greedy and beam.
//   digits     isolated spoken digits (a CNN over log-mel), accuracy on held-out voices,
//              clean and under noise.
//   sequences  3–6 spoken digits (a CNN with CTC), word error rate on held-out voices, clean
//              and under noise.
//   ablation   the digits model trained without augmentation, with audio augmentation only,
//              SpecAugment only, and both: what each adds under noise.
// Every run trains from scratch with the same settings as `infiniset train translate|speech`.
//
//   npm run bench -- seq2seq [--tasks translate,digits,sequences,ablation] [--src en --tgt fr]
//                            [--iters N] [--epochs N] [--json]
import {
  SPEECH_DEFAULTS,
  type SpeechRunResult,
  type SpeechSettings,
  trainSpeech,
} from "../../dist/src/train/train-speech.js";
import { TRANSLATION_DEFAULTS, trainTranslation } from "../../dist/src/train/train-translation.js";
import { type Bench, type BenchContext, fmt, formatTable } from "./report.js";

const TASKS = ["translate", "digits", "sequences", "ablation"] as const;

function option(context: BenchContext, name: string): string | undefined {
  const at = context.args.indexOf(name);
  return at < 0 ? undefined : context.args[at + 1];
}

function count(context: BenchContext, name: string): number | undefined {
  const value = option(context, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`seq2seq: ${name} needs a whole number >= 1`);
  return n;
}

function translate(context: BenchContext): void {
  const settings = {
    ...TRANSLATION_DEFAULTS,
    source: option(context, "--src") ?? TRANSLATION_DEFAULTS.source,
    target: option(context, "--tgt") ?? TRANSLATION_DEFAULTS.target,
    iterations: count(context, "--iters") ?? TRANSLATION_DEFAULTS.iterations,
  };
  const task = `translate ${settings.source}-${settings.target}`;
  context.log(`${task}: ${settings.iterations} iterations…`);
  const result = trainTranslation(settings, { log: context.log });
  for (const [decoding, e] of [
    ["greedy", result.greedy],
    [`beam ${settings.beam}`, result.beam],
  ] as const) {
    for (const metric of ["exactMatch", "bleu", "chrf"] as const) {
      context.emit({
        bench: "seq2seq",
        impl: "infiniset",
        task,
        condition: `held out, ${e.sentences} sentences`,
        decoding,
        metric,
        value: e[metric],
        trainSeconds: result.trainSeconds,
        decodeSeconds: e.seconds,
      });
    }
  }
}

function emitSpeech(
  context: BenchContext,
  task: string,
  result: SpeechRunResult,
  augmentation: string,
): void {
  const metric = result.settings.task === "digits" ? "accuracy" : "wer";
  for (const [condition, e] of [
    ["clean", result.clean],
    [`noise ${result.settings.testSnrDb} dB SNR`, result.noisy],
  ] as const) {
    context.emit({
      bench: "seq2seq",
      impl: "infiniset",
      task,
      condition: `${condition}, ${e.clips} clips of held-out voices`,
      decoding: result.settings.task === "digits" ? "argmax" : `CTC beam ${result.settings.beam}`,
      augmentation,
      metric,
      value: e[metric]!,
      trainSeconds: result.trainSeconds,
    });
  }
}

function speech(context: BenchContext, task: SpeechSettings["task"], variants: [string, boolean, boolean][]) {
  for (const [augmentation, augment, specAugment] of variants) {
    const settings = {
      ...SPEECH_DEFAULTS[task],
      augment,
      specAugment,
      epochs: count(context, "--epochs") ?? SPEECH_DEFAULTS[task].epochs,
    };
    const name = task === "digits" ? "spoken digits" : "digit sequences (CTC)";
    context.log(`${name}, augmentation ${augmentation}: ${settings.epochs} epochs…`);
    emitSpeech(context, name, trainSpeech(settings, { log: context.log }), augmentation);
  }
}

export const seq2seqBench: Bench = {
  name: "seq2seq",
  description:
    "translation (exact match, BLEU, chrF; greedy and beam) and spoken digits (accuracy, CTC WER, augmentation ablation) on held-out data",
  async run(context) {
    const tasks = (option(context, "--tasks") ?? TASKS.join(",")).split(",");
    for (const t of tasks) {
      if (!(TASKS as readonly string[]).includes(t)) {
        throw new Error(`seq2seq: --tasks takes ${TASKS.join(", ")} (comma-separated), got "${t}"`);
      }
    }
    const both: [string, boolean, boolean] = ["audio+spec", true, true];
    if (tasks.includes("translate")) translate(context);
    if (tasks.includes("digits")) speech(context, "digits", [both]);
    if (tasks.includes("sequences")) speech(context, "sequences", [both]);
    if (tasks.includes("ablation")) {
      speech(context, "digits", [
        ["none", false, false],
        ["audio", true, false],
        ["spec", false, true],
        ...(tasks.includes("digits") ? [] : [both]),
      ]);
    }
  },
  render(records) {
    return formatTable(
      ["task", "condition", "decoding", "augmentation", "metric", "value", "train s"],
      records.map((r) => [
        String(r.task),
        String(r.condition),
        String(r.decoding),
        String(r.augmentation ?? "—"),
        String(r.metric),
        fmt(r.value as number, 4),
        fmt(r.trainSeconds as number, 3),
      ]),
    );
  },
};
