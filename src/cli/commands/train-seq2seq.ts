// `infiniset train translate` and `infiniset train speech`: their flags and how flags
// become the runs' settings.
import { Option } from "commander";
import type { TrainingCallback } from "../../train/callbacks.js";
import { SPEECH_DEFAULTS, type SpeechSettings, trainSpeech } from "../../train/train-speech.js";
import {
  TRANSLATION_DEFAULTS,
  type TranslationSettings,
  trainTranslation,
} from "../../train/train-translation.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

export const TRANSLATE_FLAGS = [
  "data",
  "src",
  "tgt",
  "architecture",
  "embd",
  "heads",
  "layers",
  "hidden",
  "vocabSize",
  "separateVocabularies",
  "iters",
  "batchSize",
  "lr",
  "warmup",
  "labelSmoothing",
  "dropout",
  "seed",
  "evalInterval",
  "testSize",
  "beam",
  "out",
  "resume",
  "json",
];

export const SPEECH_FLAGS = [
  "task",
  "epochs",
  "batchSize",
  "lr",
  "augment",
  "hidden",
  "beam",
  "seed",
  "perVoice",
  "out",
  "json",
];

export function seq2seqOptions(): Option[] {
  const positive = integerInRange(1, 1_000_000_000);
  return [
    new Option("--src <lang>", "translate: source language of generated data (en, fr, de, es)"),
    new Option("--tgt <lang>", "translate: target language of generated data"),
    new Option("--architecture <kind>", "translate: the encoder–decoder (default transformer)").choices([
      "transformer",
      "gru",
    ]),
    new Option("--vocab-size <n>", "translate: BPE vocabulary, 256 bytes + merges (default 600)").argParser(
      integerInRange(256, 100_000),
    ),
    new Option("--separate-vocabularies", "translate: one BPE tokenizer per language instead of one shared"),
    new Option("--label-smoothing <e>", "translate: label smoothing of the loss (default 0.1)").argParser(
      numberInRange(0, 0.999),
    ),
    new Option(
      "--test-size <n>",
      "translate: held-out sentences evaluated at the end (default 500)",
    ).argParser(positive),
    new Option(
      "--beam <n>",
      "translate, speech: beam width of the final evaluation (default 4; speech 8)",
    ).argParser(integerInRange(1, 64)),
    new Option(
      "--task <task>",
      "speech: isolated digits or digit sequences with CTC (default digits)",
    ).choices(["digits", "sequences"]),
    new Option("--per-voice <n>", "speech: training clips per voice (digits: per voice and digit)").argParser(
      positive,
    ),
  ];
}

interface Seq2SeqFlags {
  data?: string;
  src?: string;
  tgt?: string;
  architecture?: "transformer" | "gru";
  embd?: number;
  heads?: number;
  layers?: number;
  hidden?: number;
  vocabSize?: number;
  separateVocabularies?: boolean;
  iters?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  labelSmoothing?: number;
  dropout?: number;
  seed?: number;
  evalInterval?: number;
  testSize?: number;
  beam?: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
  task?: "digits" | "sequences";
  epochs?: number;
  augment?: string;
  perVoice?: number;
}

/** Settings with the flags that were given on top of the defaults. */
function withFlags<S extends object>(defaults: S, given: Record<string, unknown>): S {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) if (value !== undefined) out[key] = value;
  return out as S;
}

export function trainTranslationFromFlags(
  flags: Seq2SeqFlags,
  callbacks: TrainingCallback[],
  print: (line: string) => void,
): void {
  const settings = withFlags<TranslationSettings>(TRANSLATION_DEFAULTS, {
    source: flags.src,
    target: flags.tgt,
    data: flags.data,
    architecture: flags.architecture,
    embd: flags.embd,
    heads: flags.heads,
    layers: flags.layers,
    hidden: flags.hidden,
    vocabSize: flags.vocabSize,
    sharedVocabulary: flags.separateVocabularies ? false : undefined,
    iterations: flags.iters,
    batchSize: flags.batchSize,
    lr: flags.lr,
    warmup: flags.warmup,
    labelSmoothing: flags.labelSmoothing,
    dropout: flags.dropout,
    seed: flags.seed,
    evalInterval: flags.evalInterval,
    testSize: flags.testSize,
    beam: flags.beam,
  });
  const out = flags.out ?? `runs/translate-${settings.source}-${settings.target}`;
  const result = trainTranslation(settings, {
    out,
    resume: flags.resume === true,
    callbacks,
    log: flags.json ? () => {} : print,
  });
  if (flags.json) {
    print(
      JSON.stringify({ type: "test", greedy: result.greedy, beam: result.beam, width: result.settings.beam }),
    );
  } else {
    print(`checkpoint: ${result.checkpoint ?? out}`);
    print(
      `try: infiniset translate --checkpoint ${out} --beam ${result.settings.beam} "three hundred forty-two"`,
    );
  }
}

export function trainSpeechFromFlags(
  flags: Seq2SeqFlags,
  callbacks: TrainingCallback[],
  print: (line: string) => void,
): void {
  const task = flags.task ?? "digits";
  const augment = (flags.augment ?? "audio,spec").split(",").map((m) => m.trim());
  for (const method of augment) {
    if (!["audio", "spec", "none"].includes(method))
      throw new Error(`--augment for speech takes audio, spec or none (comma-separated), got "${method}"`);
  }
  const settings = withFlags<SpeechSettings>(SPEECH_DEFAULTS[task], {
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    lr: flags.lr,
    hidden: flags.hidden,
    beam: flags.beam,
    seed: flags.seed,
    perVoice: flags.perVoice,
    augment: augment.includes("audio"),
    specAugment: augment.includes("spec"),
  });
  const out = flags.out ?? `runs/speech-${task}`;
  const result = trainSpeech(settings, { out, callbacks, log: flags.json ? () => {} : print });
  if (flags.json) {
    print(
      JSON.stringify({
        type: "test",
        task,
        clean: result.clean,
        noisy: result.noisy,
        snrDb: settings.testSnrDb,
      }),
    );
    return;
  }
  const describe = (e: typeof result.clean) =>
    e.accuracy !== undefined
      ? `accuracy ${e.accuracy.toFixed(1)}%`
      : `WER ${e.wer!.toFixed(2)}%, sequences right ${e.sequenceAccuracy!.toFixed(1)}%`;
  print(`held-out voices, ${result.clean.clips} clips: ${describe(result.clean)}`);
  print(`the same under noise at ${settings.testSnrDb} dB SNR: ${describe(result.noisy)}`);
  print(`checkpoint: ${result.checkpoint}`);
  print(`try: infiniset transcribe --checkpoint ${out} FILE.wav`);
}
