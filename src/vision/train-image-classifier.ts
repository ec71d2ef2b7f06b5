// Training a CNN image classifier: shuffled mini-batches each epoch (the last partial batch
// dropped, so every step is one compiled program), optional augmentation of each batch on
// the host, Adam on a cosine schedule, and after each epoch the held-out accuracy and a
// checkpoint from which an interrupted run resumes exactly.

import { augmentImages, mixup } from "../image/augment.js";
import { type AugmentationPlan, parseAugmentations } from "../image/augment-spec.js";
import { type LabelledImages, selectImages } from "../image/images.js";
import { CNN_DEFAULTS, Cnn, type CnnConfig } from "../models/cnn/cnn.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { crossEntropy } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { dropoutSeedsFor, type EpochRecord, runCheckpoint, trainEpochs } from "./train-epochs.js";

export type { EpochRecord };

import { loadVisionModel, readVisionConfig } from "./vision-checkpoint.js";

export interface ImageClassifierSettings {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of Adam; it decays to zero over the run on a cosine. */
  lr: number;
  seed: number;
  /** Augmentations (see parseAugmentations): "" for none. */
  augment: string;
  convChannels: number[];
  hidden: number;
  dropout: number;
  batchNorm: boolean;
}

export const IMAGE_CLASSIFIER_DEFAULTS: ImageClassifierSettings = {
  epochs: 30,
  batchSize: 64,
  lr: 1e-3,
  seed: 0,
  augment: "affine",
  convChannels: [...CNN_DEFAULTS.convChannels],
  hidden: CNN_DEFAULTS.hidden,
  dropout: CNN_DEFAULTS.dropout,
  batchNorm: CNN_DEFAULTS.batchNorm,
};

export interface TrainImageClassifierOptions {
  /** Run directory for checkpoints (one per epoch, the newest kept). */
  out?: string;
  /** Continue the run in `out` from its checkpoint. */
  resume?: boolean;
  /** What the data is called in the checkpoint ("mnist", a folder). */
  dataName?: string;
  onStep?: (step: number, steps: number, loss: number) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** Per-channel mean and standard deviation of a set of images. */
export function channelStatistics(images: LabelledImages): { mean: number[]; std: number[] } {
  const plane = images.height * images.width;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < images.channels; c++) {
    let s = 0;
    let ss = 0;
    for (let i = 0; i < images.count; i++) {
      const at = (i * images.channels + c) * plane;
      for (let k = 0; k < plane; k++) {
        const v = images.data[at + k]!;
        s += v;
        ss += v * v;
      }
    }
    const n = images.count * plane;
    mean.push(s / n);
    std.push(Math.sqrt(Math.max(ss / n - (s / n) ** 2, 1e-12)));
  }
  return { mean, std };
}

/** Images as a [count, channels, height, width] tensor. */
export function imagesTensor(
  images: Pick<LabelledImages, "data" | "count" | "channels" | "height" | "width">,
): Tensor {
  return tensor(images.data, [images.count, images.channels, images.height, images.width]);
}

/** Class probabilities [count, classes] for images, in batches, in evaluation mode. */
export function classProbabilities(model: Cnn, images: LabelledImages, batchSize = 500): Float32Array {
  const classes = model.config.classes;
  const out = new Float32Array(images.count * classes);
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let start = 0; start < images.count; start += batchSize) {
      const ids = Array.from({ length: Math.min(batchSize, images.count - start) }, (_, k) => start + k);
      const probabilities = model.forward(imagesTensor(selectImages(images, ids))).softmax(-1);
      out.set(probabilities.dataSync(), start * classes);
      probabilities.dispose();
    }
  });
  model.train(wasTraining);
  return out;
}

/** The most probable class of each row of [count, classes] probabilities. */
export function argmaxRows(probabilities: Float32Array, classes: number): Int32Array {
  return Int32Array.from({ length: probabilities.length / classes }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    return best;
  });
}

export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / Math.max(1, labels.length);
}

/** The loss of one batch: cross-entropy against labels, or against mixup's soft targets. */
function batchLoss(model: Cnn, batch: LabelledImages, plan: AugmentationPlan, rng: SeededRng): Tensor {
  const classes = model.config.classes;
  if (plan.mixupAlpha !== undefined) {
    const mixed = mixup(batch, batch.labels, classes, plan.mixupAlpha, rng);
    const targets = tensor(mixed.targets, [batch.count, classes]);
    return targets
      .mul(model.forward(imagesTensor(mixed.images)).logSoftmax(-1))
      .sum(-1)
      .mean()
      .neg();
  }
  return crossEntropy(
    model.forward(imagesTensor(batch)),
    tensor(batch.labels, [batch.count], { dtype: "int32" }),
  );
}

/**
 * Trains a CNN on `train` and measures its accuracy on `test` after every epoch. With `out`,
 * each epoch ends with a checkpoint; with `resume`, a run continues from it (the same
 * batches, augmentations and dropout masks as if it had never stopped).
 */
export function trainImageClassifier(
  data: { train: LabelledImages; test: LabelledImages },
  settings: ImageClassifierSettings,
  options: TrainImageClassifierOptions = {},
): { model: Cnn; history: EpochRecord[] } {
  const { train, test } = data;
  const plan = parseAugmentations(settings.augment);
  const previous = options.resume && options.out ? readVisionConfig(options.out) : undefined;
  const config: CnnConfig =
    previous?.task === "classify"
      ? (previous.model as unknown as CnnConfig)
      : {
          channels: train.channels,
          height: train.height,
          width: train.width,
          classes: train.classes.length,
          convChannels: settings.convChannels,
          kernelSize: CNN_DEFAULTS.kernelSize,
          hidden: settings.hidden,
          dropout: settings.dropout,
          batchNorm: settings.batchNorm,
          ...channelStatistics(train),
        };
  const dropoutSeeds = dropoutSeedsFor(settings.seed);
  const model = new Cnn(config, { rng: new SeededRng(settings.seed), seeds: dropoutSeeds });
  const { history } = trainEpochs({
    model,
    count: train.count,
    settings,
    dropoutSeeds,
    batchLoss: (indices, rng) => {
      let batch = selectImages(train, indices);
      if (plan.perImage) batch = augmentImages(batch, plan.perImage, rng);
      return batchLoss(model, batch, plan, rng);
    },
    evaluate: () => ({
      testAccuracy: accuracyOf(argmaxRows(classProbabilities(model, test), config.classes), test.labels),
    }),
    checkpoint: runCheckpoint(options, "classify", config, {
      ...settings,
      data: options.dataName ?? "images",
      classes: train.classes,
    }),
    onStep: options.onStep,
    onEpoch: options.onEpoch,
  });
  return { model, history };
}

/** A trained classifier from a checkpoint, with its class names. */
export function loadImageClassifier(dir: string): {
  model: Cnn;
  classes: string[];
  training: Record<string, unknown>;
} {
  const { model, config } = loadVisionModel(dir, "classify", (c: CnnConfig) => new Cnn(c));
  const classes = config.training.classes;
  return {
    model,
    classes: Array.isArray(classes)
      ? classes.map(String)
      : Array.from({ length: model.config.classes }, (_, i) => String(i)),
    training: config.training,
  };
}
