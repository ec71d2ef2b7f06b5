// Text-to-image on MNIST: a conditional VAE trained on the 8,000 training digits of the
// standard split, each conditioned on its digit's name, with the held-out negative ELBO after
// each epoch. Its drawings are scored by a trained MNIST classifier (the judge): the fraction
// of images drawn for a word that the judge classifies as that digit.

import { DIGIT_WORDS } from "../data/digit-words.js";
import { type Images, type LabelledImages, selectImages } from "../image/images.js";
import type { Cnn } from "../models/cnn/cnn.js";
import {
  CONDITIONAL_VAE_DEFAULTS,
  ConditionalVae,
  type ConditionalVaeConfig,
} from "../models/cvae/conditional-vae.js";
import { SeededRng } from "../random/seeded-rng.js";
import { noGrad } from "../tensor/functional.js";
import { type EpochRecord, runCheckpoint, trainEpochs } from "./train-epochs.js";
import { argmaxRows, classProbabilities, imagesTensor } from "./train-image-classifier.js";
import { loadVisionModel, readVisionConfig } from "./vision-checkpoint.js";

export interface DigitGeneratorSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  embd: number;
  hidden: number;
  latent: number;
  beta: number;
}

export const DIGIT_GENERATOR_DEFAULTS: DigitGeneratorSettings = {
  epochs: 30,
  batchSize: 64,
  lr: 1e-3,
  seed: 0,
  ...CONDITIONAL_VAE_DEFAULTS,
};

export interface TrainDigitGeneratorOptions {
  /** Run directory for checkpoints (one per epoch, the newest kept). */
  out?: string;
  /** Continue the run in `out` from its checkpoint. */
  resume?: boolean;
  /** What the data is called in the checkpoint. */
  dataName?: string;
  /** A trained digit classifier: after each epoch, the fraction of drawings it recognises. */
  judge?: Cnn;
  /** Drawings per word for the judge after each epoch (default 20). */
  judgedPerWord?: number;
  onStep?: (step: number, steps: number, loss: number) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** The held-out negative ELBO (nats per image), in batches, with fixed noise. */
export function heldOutLoss(model: ConditionalVae, images: LabelledImages, batchSize = 500): number {
  let total = 0;
  noGrad(() => {
    for (let start = 0; start < images.count; start += batchSize) {
      const ids = Array.from({ length: Math.min(batchSize, images.count - start) }, (_, k) => start + k);
      const batch = selectImages(images, ids);
      const { loss } = model.loss(imagesTensor(batch), batch.labels, start);
      total += loss.item() * ids.length;
      loss.dispose();
    }
  });
  return total / images.count;
}

/** Images drawn for condition ids, as host images (values in [0, 1]). */
export function drawImages(model: ConditionalVae, ids: Int32Array, seed: number, temperature = 1): Images {
  const { height, width } = model.config;
  const drawn = model.sample(ids, seed, temperature);
  const data = drawn.dataSync() as Float32Array;
  drawn.dispose();
  return { data, count: ids.length, channels: 1, height, width };
}

export interface JudgedImages {
  /** Fraction of the images the judge classifies as the digit asked for. */
  accuracy: number;
  /** The same per word (index = word id; NaN for a word not drawn). */
  perWord: number[];
  /** What the judge saw in each image (its class ids). */
  predicted: Int32Array;
  /** Whether that is the digit asked for (1) or not (0). */
  hits: Uint8Array;
}

/**
 * What a judge (a digit classifier of the generator's image size) sees in images drawn for
 * condition `ids`. A word's class is the judge's class named by the word or by its index
 * (MNIST's classes are "0" … "9"); `judgeClasses` names the judge's classes (default: "0", …).
 */
export function judgeImages(
  model: ConditionalVae,
  judge: Cnn,
  images: Images,
  ids: Int32Array,
  judgeClasses: readonly string[] = Array.from({ length: judge.config.classes }, (_, i) => String(i)),
): JudgedImages {
  const { words, height, width } = model.config;
  if (judge.config.channels !== 1 || judge.config.height !== height || judge.config.width !== width) {
    throw new Error(
      `the judge takes ${judge.config.channels}×${judge.config.height}×${judge.config.width} images; the generator draws 1×${height}×${width}`,
    );
  }
  const classOf = words.map((word, i) => {
    const at = judgeClasses.findIndex((c) => c === word || c === String(i));
    if (at < 0)
      throw new Error(`the judge has no class for "${word}" (its classes: ${judgeClasses.join(", ")})`);
    return at;
  });
  const predicted = argmaxRows(
    classProbabilities(judge, { ...images, labels: ids, classes: words }),
    judge.config.classes,
  );
  const hits = Uint8Array.from(ids, (id, i) => (predicted[i] === classOf[id] ? 1 : 0));
  const perWord = words.map((_, w) => {
    let drawn = 0;
    let hit = 0;
    ids.forEach((id, i) => {
      if (id !== w) return;
      drawn++;
      hit += hits[i]!;
    });
    return drawn === 0 ? Number.NaN : hit / drawn;
  });
  return { accuracy: hits.reduce((a, b) => a + b, 0) / ids.length, perWord, predicted, hits };
}

/** `perWord` drawings of every word of the generator (z from `seed`), judged. */
export function judgeDrawings(
  model: ConditionalVae,
  judge: Cnn,
  options: { perWord: number; seed?: number; temperature?: number; judgeClasses?: readonly string[] },
): JudgedImages & { ids: Int32Array; images: Images } {
  const ids = Int32Array.from({ length: model.config.words.length * options.perWord }, (_, i) =>
    Math.floor(i / options.perWord),
  );
  const images = drawImages(model, ids, options.seed ?? 0, options.temperature ?? 1);
  return { ...judgeImages(model, judge, images, ids, options.judgeClasses), ids, images };
}

/**
 * How varied the images of each class are: the mean Euclidean distance between two images of
 * the class, over all pairs (index = class; NaN for fewer than two images). Drawings that all
 * came out as one average digit score near 0; real digits of the class are the yardstick.
 */
export function meanPairDistance(images: Images, classOf: ArrayLike<number>, classes: number): number[] {
  const size = images.channels * images.height * images.width;
  return Array.from({ length: classes }, (_, c) => {
    const members: number[] = [];
    for (let i = 0; i < images.count; i++) if (classOf[i] === c) members.push(i * size);
    let total = 0;
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        let squared = 0;
        for (let k = 0; k < size; k++) {
          const d = images.data[members[a]! + k]! - images.data[members[b]! + k]!;
          squared += d * d;
        }
        total += Math.sqrt(squared);
      }
    }
    const pairs = (members.length * (members.length - 1)) / 2;
    return pairs === 0 ? Number.NaN : total / pairs;
  });
}

/**
 * The variety of a generator's drawings per word: their mean pair distance over that of the
 * real digits in `real` (labels = word ids). 1: as varied as real digits; near 0: one image.
 */
export function drawingVariety(drawn: { images: Images; ids: Int32Array }, real: LabelledImages): number[] {
  const classes = real.classes.length;
  const ofDrawings = meanPairDistance(drawn.images, drawn.ids, classes);
  const ofReal = meanPairDistance(real, real.labels, classes);
  return ofDrawings.map((d, c) => d / ofReal[c]!);
}

/**
 * Trains a conditional VAE on `train` (labels are digits, conditioned on their names) and
 * measures the held-out loss on `test` after every epoch (and, with a judge, how many
 * drawings it recognises). With `out`, each epoch ends with a checkpoint; with `resume`, a
 * run continues from it exactly.
 */
export function trainDigitGenerator(
  data: { train: LabelledImages; test: LabelledImages },
  settings: DigitGeneratorSettings,
  options: TrainDigitGeneratorOptions = {},
): { model: ConditionalVae; history: EpochRecord[] } {
  const { train, test } = data;
  if (train.channels !== 1) throw new Error(`train cvae: needs one-channel images, got ${train.channels}`);
  if (train.classes.length > DIGIT_WORDS.length) {
    throw new Error(
      `train cvae: knows the names of ${DIGIT_WORDS.length} digits, got ${train.classes.length} classes`,
    );
  }
  const previous = options.resume && options.out ? readVisionConfig(options.out) : undefined;
  const config: ConditionalVaeConfig =
    previous?.task === "draw"
      ? (previous.model as unknown as ConditionalVaeConfig)
      : {
          height: train.height,
          width: train.width,
          words: DIGIT_WORDS.slice(0, train.classes.length),
          embd: settings.embd,
          hidden: settings.hidden,
          latent: settings.latent,
          beta: settings.beta,
        };
  const model = new ConditionalVae(config, { rng: new SeededRng(settings.seed) });
  const judge = options.judge;
  const { history } = trainEpochs({
    model,
    count: train.count,
    settings,
    batchLoss: (indices, rng) => {
      const batch = selectImages(train, indices);
      return model.loss(imagesTensor(batch), batch.labels, rng.nextUint32()).loss;
    },
    evaluate: () => ({
      testLoss: heldOutLoss(model, test),
      ...(judge
        ? { judged: judgeDrawings(model, judge, { perWord: options.judgedPerWord ?? 20 }).accuracy }
        : {}),
    }),
    checkpoint: runCheckpoint(options, "draw", config, { ...settings, data: options.dataName ?? "images" }),
    onStep: options.onStep,
    onEpoch: options.onEpoch,
  });
  return { model, history };
}

/** A trained digit generator from a checkpoint (a run directory or a checkpoint folder). */
export function loadDigitGenerator(dir: string): ConditionalVae {
  return loadVisionModel(dir, "draw", (config: ConditionalVaeConfig) => new ConditionalVae(config)).model;
}
