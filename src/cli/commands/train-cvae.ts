// `infiniset train cvae --data mnist`: a conditional VAE that draws digits from their names,
// trained on the 8,000 training digits of the standard split; with --judge (a trained MNIST
// CNN), each epoch also reports the fraction of its drawings that the CNN recognises.
import { Option } from "commander";
import { MNIST } from "../../data/mnist.js";
import { DIGIT_GENERATOR_DEFAULTS, trainDigitGenerator } from "../../vision/train-digit-generator.js";
import type { EpochRecord } from "../../vision/train-epochs.js";
import { loadImageClassifier } from "../../vision/train-image-classifier.js";
import { epochReporter } from "./epoch-reporter.js";
import { imageData } from "./train-cnn.js";

export const CVAE_FLAGS = [
  "data",
  "epochs",
  "batchSize",
  "lr",
  "seed",
  "hidden",
  "embd",
  "judge",
  "out",
  "resume",
  "json",
];

export interface CvaeFlags {
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  hidden?: number;
  embd?: number;
  judge?: string;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

export function cvaeOptions(): Option[] {
  return [
    new Option(
      "--judge <dir>",
      "cvae: a trained MNIST CNN (train cnn's run directory); each epoch reports how many drawings it recognises",
    ),
  ];
}

export function trainCvaeFromFlags(flags: CvaeFlags, print: (line: string) => void): void {
  if ((flags.data ?? MNIST) !== MNIST) {
    throw new Error(`train cvae: --data must be "${MNIST}" (it draws digits from their names)`);
  }
  const d = DIGIT_GENERATOR_DEFAULTS;
  const settings = {
    ...d,
    epochs: flags.epochs ?? d.epochs,
    batchSize: flags.batchSize ?? d.batchSize,
    lr: flags.lr ?? d.lr,
    seed: flags.seed ?? d.seed,
    hidden: flags.hidden ?? d.hidden,
    embd: flags.embd ?? d.embd,
  };
  const judge = flags.judge === undefined ? undefined : loadImageClassifier(flags.judge).model;
  const data = imageData(MNIST);
  const out = flags.out ?? "runs/cvae";
  print(
    `train cvae on ${MNIST}: ${data.train.count} training and ${data.test.count} held-out digits, conditioned on their names; run directory ${out}`,
  );
  const figures = (r: EpochRecord) =>
    `held-out loss ${r.testLoss!.toFixed(2)} nats/image${r.judged === undefined ? "" : `, judge recognises ${(100 * r.judged).toFixed(1)}% of drawings`}`;
  const { history } = trainDigitGenerator(data, settings, {
    out,
    resume: flags.resume,
    dataName: MNIST,
    judge,
    ...epochReporter({ epochs: settings.epochs, json: flags.json, print, figures, lossDigits: 2 }),
  });
  const last = history[history.length - 1];
  if (last && !flags.json) print(`${figures(last)} after ${last.epoch} epochs; checkpoint in ${out}`);
}
