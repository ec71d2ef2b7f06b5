// Object detection on the captioned-shapes data set: boxes and shape classes (circle,
// square, triangle). Training scenes are the standard training split, evaluation the
// held-out scenes (other layouts, colour–shape combinations never seen in training), scored
// by mAP at IoU 0.5.
import { type CaptionedShapes, SCENE_SIZE, SHAPE_NAMES } from "../data/captioned-shapes.js";
import { selectImages } from "../image/images.js";
import { type Detection, type GroundTruth, meanAveragePrecision } from "../metrics/detection.js";
import { type DetectorConfig, ShapeDetector } from "../models/detector/shape-detector.js";
import { SeededRng } from "../random/seeded-rng.js";
import { type EpochRecord, trainEpochs } from "./train-epochs.js";
import { imagesTensor } from "./train-image-classifier.js";
import {
  type ShapesSettings,
  shapesCheckpoint,
  shapesData,
  type TrainShapesOptions,
} from "./train-multimodal.js";
import { loadVisionModel } from "./vision-checkpoint.js";

/** Each scene's boxes with their shape's class id. */
export function groundTruths(set: CaptionedShapes, indices?: readonly number[]): GroundTruth[][] {
  const picked = indices ?? set.scenes.map((_, i) => i);
  return picked.map((i) =>
    set.scenes[i]!.objects.map((o) => ({ box: o.box, label: SHAPE_NAMES.indexOf(o.shape) })),
  );
}

export function detectorConfig(s: ShapesSettings): DetectorConfig {
  return {
    encoder: { channels: 3, height: SCENE_SIZE, width: SCENE_SIZE, convChannels: s.convChannels },
    classes: [...SHAPE_NAMES],
    // Between the small (7) and large (11) sides, so both sizes are a small log offset.
    anchor: 9,
  };
}

export interface DetectionScores {
  map: number;
  perClass: number[];
  detections: Detection[][];
}

/** Detections of every held-out scene and their mAP@0.5. */
export function evaluateDetector(
  model: ShapeDetector,
  test: CaptionedShapes,
  batchSize = 250,
): DetectionScores {
  const wasTraining = model.training;
  model.eval();
  const detections: Detection[][] = [];
  for (let start = 0; start < test.count; start += batchSize) {
    const ids = Array.from({ length: Math.min(batchSize, test.count - start) }, (_, k) => start + k);
    detections.push(...model.detect(imagesTensor(selectImages(test, ids)), 0.05));
  }
  model.train(wasTraining);
  const { map, perClass } = meanAveragePrecision(detections, groundTruths(test), SHAPE_NAMES.length);
  return { map, perClass, detections };
}

export function trainDetector(
  settings: ShapesSettings,
  options: TrainShapesOptions = {},
  data = shapesData(settings.trainScenes, settings.testScenes),
): { model: ShapeDetector; history: EpochRecord[] } {
  const config = detectorConfig(settings);
  const model = new ShapeDetector(config, { rng: new SeededRng(settings.seed) });
  const { train, test } = data;
  const { history } = trainEpochs({
    model,
    count: train.count,
    settings,
    batchLoss: (indices) =>
      model.loss(imagesTensor(selectImages(train, indices)), groundTruths(train, indices)),
    evaluate: () => ({ map: evaluateDetector(model, test).map }),
    checkpoint: shapesCheckpoint(options, "detect", config, settings),
    onStep: options.onStep,
    onEpoch: options.onEpoch,
  });
  return { model, history };
}

export function loadDetector(dir: string): ShapeDetector {
  return loadVisionModel(dir, "detect", (config: DetectorConfig) => new ShapeDetector(config)).model;
}
