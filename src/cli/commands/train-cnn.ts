// `infiniset train cnn`: an image classifier on MNIST (the standard 8,000/2,000 split) or on
// a folder with one subfolder of PNG files per class (a seeded, stratified 80/20 split).
import { hashSplit } from "../../data/hash-split.js";
import { loadImageFolder } from "../../data/image-folder.js";
import { loadMnist, MNIST, mnistSplit } from "../../data/mnist.js";
import { type LabelledImages, selectImages } from "../../image/images.js";
import {
  type EpochRecord,
  IMAGE_CLASSIFIER_DEFAULTS,
  trainImageClassifier,
} from "../../vision/train-image-classifier.js";
import { epochReporter } from "./epoch-reporter.js";

export const CNN_FLAGS = [
  "data",
  "epochs",
  "batchSize",
  "lr",
  "seed",
  "augment",
  "dropout",
  "batchNorm",
  "out",
  "resume",
  "json",
];

export interface CnnFlags {
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  augment?: string;
  dropout?: number;
  batchNorm?: boolean;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Train and test images of `--data`: MNIST's standard split, or a folder split 80/20 by file. */
export function imageData(source: string, seed = 0): { train: LabelledImages; test: LabelledImages } {
  if (source === MNIST) {
    const digits = loadMnist();
    const { train, test } = mnistSplit(digits.labels);
    return { train: selectImages(digits, train), test: selectImages(digits, test) };
  }
  const folder = loadImageFolder(source);
  const { train, test } = hashSplit(folder.files, Array.from(folder.labels), { seed });
  if (train.length === 0 || test.length === 0) {
    throw new Error(`${source}: ${folder.count} images are too few to hold out a fifth of each class`);
  }
  return { train: selectImages(folder, train), test: selectImages(folder, test) };
}

export function trainCnnFromFlags(flags: CnnFlags, print: (line: string) => void): void {
  const d = IMAGE_CLASSIFIER_DEFAULTS;
  const settings = {
    ...d,
    epochs: flags.epochs ?? d.epochs,
    batchSize: flags.batchSize ?? d.batchSize,
    lr: flags.lr ?? d.lr,
    seed: flags.seed ?? d.seed,
    augment: flags.augment ?? d.augment,
    dropout: flags.dropout ?? d.dropout,
    batchNorm: flags.batchNorm ?? d.batchNorm,
  };
  const source = flags.data ?? MNIST;
  const data = imageData(source, settings.seed);
  const out = flags.out ?? "runs/cnn";
  print(
    `train cnn on ${source}: ${data.train.count} training and ${data.test.count} held-out ${data.train.width}×${data.train.height} images, ${data.train.classes.length} classes; augment "${settings.augment || "none"}"; run directory ${out}`,
  );
  const { history } = trainImageClassifier(data, settings, {
    out,
    resume: flags.resume,
    dataName: source,
    ...epochReporter({
      epochs: settings.epochs,
      json: flags.json,
      print,
      figures: (r: EpochRecord) => `held-out accuracy ${(100 * r.testAccuracy).toFixed(2)}%`,
    }),
  });
  const last = history[history.length - 1];
  if (last && !flags.json)
    print(
      `held-out accuracy ${(100 * last.testAccuracy).toFixed(2)}% after ${last.epoch} epochs; checkpoint in ${out}`,
    );
}
