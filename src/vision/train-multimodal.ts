// Captioning and image–text retrieval on the captioned-shapes data set: training scenes
// without the held-out colour–shape combinations, evaluation on scenes that each contain
// one. Captions are scored by exact match and corpus BLEU-4 (src/metrics, as sacrebleu);
// retrieval by recall@1 of each image's caption among 100 candidates.
import {
  CAPTION_WORDS,
  type CaptionedShapes,
  captionedShapes,
  SCENE_SIZE,
  SHAPES_SPLIT,
} from "../data/captioned-shapes.js";
import { selectImages } from "../image/images.js";
import { corpusBleu } from "../metrics/bleu.js";
import { Captioner, type CaptionerConfig, dropWords } from "../models/multimodal/captioner.js";
import type { ImageEncoderConfig } from "../models/multimodal/image-encoder.js";
import { ImageTextRetrieval, type RetrievalConfig } from "../models/multimodal/image-text-retrieval.js";
import { SeededRng } from "../random/seeded-rng.js";
import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import type { Tensor } from "../tensor/tensor.js";
import { type EpochRecord, runCheckpoint, trainEpochs } from "./train-epochs.js";
import { imagesTensor } from "./train-image-classifier.js";
import { loadVisionModel, type VisionTask } from "./vision-checkpoint.js";

/** Longest caption: three shapes, 4 words each, two 2-word relations; plus start and end. */
export const CAPTION_LENGTH = 18;

export interface ShapesSettings {
  /** Training scenes (generated, without the held-out combinations). */
  trainScenes: number;
  /** Held-out scenes (each with a held-out combination). */
  testScenes: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Conv widths of the image encoder; the last is the model width. */
  convChannels: number[];
  layers: number;
  heads: number;
  /** Captioner: the probability of dropping each word of the decoder's input in training. */
  wordDropout: number;
}

export const SHAPES_DEFAULTS: ShapesSettings = {
  trainScenes: 8000,
  testScenes: 500,
  epochs: 20,
  batchSize: 64,
  lr: 2e-3,
  seed: 0,
  convChannels: [32, 64, 96],
  layers: 2,
  heads: 4,
  wordDropout: 0.6,
};

/** The standard training and held-out scenes of the sizes asked for. */
export function shapesData(
  trainScenes: number,
  testScenes: number,
): { train: CaptionedShapes; test: CaptionedShapes } {
  return {
    train: captionedShapes(trainScenes, new SeededRng(SHAPES_SPLIT.trainSeed), "exclude"),
    test: captionedShapes(testScenes, new SeededRng(SHAPES_SPLIT.testSeed), "require"),
  };
}

function encoderConfig(s: ShapesSettings, colourStream = false): ImageEncoderConfig {
  return { channels: 3, height: SCENE_SIZE, width: SCENE_SIZE, convChannels: s.convChannels, colourStream };
}

/** Caption ids [count × CAPTION_LENGTH] of scenes `indices` (all by default). */
function encodeCaptions(
  vocabulary: Captioner["vocabulary"],
  set: CaptionedShapes,
  indices?: readonly number[],
): Int32Array {
  const picked = indices ?? set.scenes.map((_, i) => i);
  const ids = new Int32Array(picked.length * CAPTION_LENGTH);
  picked.forEach((i, k) => {
    ids.set(vocabulary.encode(set.scenes[i]!.caption, CAPTION_LENGTH), k * CAPTION_LENGTH);
  });
  return ids;
}

function idsTensor(ids: Int32Array): Tensor {
  return tensor(ids, [ids.length / CAPTION_LENGTH, CAPTION_LENGTH], { dtype: "int32" });
}

/** Caption ids [count, CAPTION_LENGTH] of scenes `indices` (all by default). */
function captionIds(
  vocabulary: Captioner["vocabulary"],
  set: CaptionedShapes,
  indices?: readonly number[],
): Tensor {
  return idsTensor(encodeCaptions(vocabulary, set, indices));
}

export interface CaptionScores {
  exactMatch: number;
  /** Corpus BLEU-4 in [0, 1]. */
  bleu4: number;
  captions: string[];
}

/** Greedy captions of every held-out scene, scored against the true captions. */
export function evaluateCaptioner(model: Captioner, test: CaptionedShapes, batchSize = 250): CaptionScores {
  const wasTraining = model.training;
  model.eval();
  const captions: string[] = [];
  for (let start = 0; start < test.count; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, test.count - start) }, (_, k) => start + k);
    captions.push(...model.caption(imagesTensor(selectImages(test, ids))));
  }
  model.train(wasTraining);
  const truth = test.scenes.map((s) => s.caption);
  return {
    exactMatch: captions.filter((c, i) => c === truth[i]).length / test.count,
    bleu4: corpusBleu(captions, [truth]).score / 100,
    captions,
  };
}

export interface TrainShapesOptions {
  out?: string;
  /** Retrieval: captions each held-out image is ranked among (default 100). */
  candidates?: number;
  resume?: boolean;
  onStep?: (step: number, steps: number, loss: number) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** Where a shapes model's run keeps its checkpoints, and the config stored with them. */
export function shapesCheckpoint(
  options: TrainShapesOptions,
  task: VisionTask,
  config: object,
  settings: ShapesSettings,
) {
  return runCheckpoint(options, task, config, { ...settings, data: "shapes" });
}

export function captionerConfig(s: ShapesSettings): CaptionerConfig {
  const width = s.convChannels[s.convChannels.length - 1]!;
  return {
    // Shape and colour read apart: captions must name colour–shape pairs never seen together.
    encoder: encoderConfig(s, true),
    words: [...CAPTION_WORDS],
    maxLength: CAPTION_LENGTH,
    layers: s.layers,
    heads: s.heads,
    hidden: 2 * width,
  };
}

export function trainCaptioner(
  settings: ShapesSettings,
  options: TrainShapesOptions = {},
  data = shapesData(settings.trainScenes, settings.testScenes),
): { model: Captioner; history: EpochRecord[] } {
  const config = captionerConfig(settings);
  const model = new Captioner(config, { rng: new SeededRng(settings.seed) });
  const { train, test } = data;
  const { history } = trainEpochs({
    model,
    count: train.count,
    settings,
    batchLoss: (indices, rng) => {
      const ids = encodeCaptions(model.vocabulary, train, indices);
      return model.loss(
        imagesTensor(selectImages(train, indices)),
        idsTensor(ids),
        idsTensor(dropWords(ids, settings.wordDropout, rng)),
      );
    },
    evaluate: () => {
      const { exactMatch, bleu4 } = evaluateCaptioner(model, test);
      return { exactMatch, bleu4 };
    },
    checkpoint: shapesCheckpoint(options, "caption", config, settings),
    onStep: options.onStep,
    onEpoch: options.onEpoch,
  });
  return { model, history };
}

export function loadCaptioner(dir: string): Captioner {
  return loadVisionModel(dir, "caption", (config: CaptionerConfig) => new Captioner(config)).model;
}

export function retrievalConfig(s: ShapesSettings): RetrievalConfig {
  const width = s.convChannels[s.convChannels.length - 1]!;
  return {
    // Shape and colour read apart, a Transformer block binding each region's two tokens.
    encoder: encoderConfig(s, true),
    imageLayers: 1,
    words: [...CAPTION_WORDS],
    maxLength: CAPTION_LENGTH,
    textWidth: width,
    layers: s.layers,
    heads: s.heads,
    dim: width,
  };
}

/**
 * Recall@1 of image → text retrieval: the held-out scenes in groups of `candidates`; each
 * image ranks its group's captions, and a hit is its own caption ranked first. Scenes whose
 * caption another scene of the group shares count a hit for either.
 */
export function retrievalRecall(model: ImageTextRetrieval, test: CaptionedShapes, candidates = 100): number {
  const wasTraining = model.training;
  model.eval();
  let hits = 0;
  let total = 0;
  noGrad(() => {
    for (let start = 0; start + candidates <= test.count; start += candidates) {
      const ids = Array.from({ length: candidates }, (_, k) => start + k);
      const scores = model
        .embedImages(imagesTensor(selectImages(test, ids)))
        .matmul(model.embedTexts(captionIds(model.vocabulary, test, ids)).transpose())
        .dataSync();
      for (let i = 0; i < candidates; i++) {
        let best = 0;
        for (let j = 1; j < candidates; j++)
          if (scores[i * candidates + j]! > scores[i * candidates + best]!) best = j;
        if (test.scenes[start + best]!.caption === test.scenes[start + i]!.caption) hits++;
        total++;
      }
    }
  });
  model.train(wasTraining);
  if (total === 0)
    throw new Error(`retrieval: needs at least ${candidates} held-out scenes, got ${test.count}`);
  return hits / total;
}

export function trainRetrieval(
  settings: ShapesSettings,
  options: TrainShapesOptions = {},
  data = shapesData(settings.trainScenes, settings.testScenes),
): { model: ImageTextRetrieval; history: EpochRecord[] } {
  const config = retrievalConfig(settings);
  const model = new ImageTextRetrieval(config, { rng: new SeededRng(settings.seed) });
  const { train, test } = data;
  const { history } = trainEpochs({
    model,
    count: train.count,
    settings,
    batchLoss: (indices) =>
      model.loss(imagesTensor(selectImages(train, indices)), captionIds(model.vocabulary, train, indices)),
    evaluate: () => ({ recallAt1: retrievalRecall(model, test, options.candidates) }),
    checkpoint: shapesCheckpoint(options, "retrieve", config, settings),
    onStep: options.onStep,
    onEpoch: options.onEpoch,
  });
  return { model, history };
}

export function loadRetrieval(dir: string): ImageTextRetrieval {
  return loadVisionModel(dir, "retrieve", (config: RetrievalConfig) => new ImageTextRetrieval(config)).model;
}
