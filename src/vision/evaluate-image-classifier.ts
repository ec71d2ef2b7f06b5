// What `infiniset eval` reports for an image classifier: the held-out evaluation (accuracy,
// per-class table, confusion matrix; classify/evaluate-classifier.ts), a PNG grid of the
// misclassified images captioned "true>predicted", and saliency maps: the gradient of the
// predicted class's logit with respect to the input pixels, |∂logit/∂x| (max over
// channels), scaled to the image's largest value and shown beside the image.
import { type ClassifierEvaluation, evaluateClassifier } from "../classify/evaluate-classifier.js";
import type { RgbaImage } from "../formats/png.js";
import { writePng } from "../formats/png.js";
import { imageAt, type LabelledImages, selectImages } from "../image/images.js";
import { heatColour, imageGrid, imageToRgba } from "../image/pixels.js";
import type { Cnn } from "../models/cnn/cnn.js";
import { tensor } from "../tensor/creation.js";
import { gradients } from "../tensor/functional.js";
import { argmaxRows, classProbabilities, imagesTensor } from "./train-image-classifier.js";

export interface ImageClassifierEvaluation extends ClassifierEvaluation {
  /** Indices (into the evaluated images) of the misclassified ones, with what was predicted. */
  misclassified: { index: number; label: number; predicted: number }[];
}

export function evaluateImageClassifier(model: Cnn, images: LabelledImages, classes: readonly string[]) {
  const k = model.config.classes;
  const probabilities = classProbabilities(model, images);
  const rows = Array.from({ length: images.count }, (_, i) =>
    Array.from(probabilities.subarray(i * k, (i + 1) * k)),
  );
  const predicted = argmaxRows(probabilities, k);
  const evaluation: ImageClassifierEvaluation = {
    ...evaluateClassifier(Array.from(images.labels), rows, classes),
    misclassified: [],
  };
  predicted.forEach((p, i) => {
    if (p !== images.labels[i])
      evaluation.misclassified.push({ index: i, label: images.labels[i]!, predicted: p });
  });
  return evaluation;
}

/** Writes up to `limit` misclassified images as a grid, each captioned true>predicted (class ids). */
export function writeMisclassifiedGrid(
  path: string,
  images: LabelledImages,
  misclassified: ImageClassifierEvaluation["misclassified"],
  limit = 100,
): number {
  const shown = misclassified.slice(0, limit);
  if (shown.length === 0) return 0;
  const tiles = shown.map(({ index }) => imageToRgba(imageAt(images, index), images));
  writePng(
    path,
    imageGrid(tiles, {
      columns: 10,
      scale: 2,
      gap: 3,
      captions: shown.map(({ label, predicted }) => `${label}>${predicted}`),
    }),
  );
  return shown.length;
}

/** |∂ logit of the predicted class / ∂ pixel| for each image, max over channels, each map scaled to [0, 1]. */
export function saliencyMaps(
  model: Cnn,
  images: LabelledImages,
): { maps: Float32Array[]; predicted: Int32Array } {
  const wasTraining = model.training;
  model.eval();
  const x = imagesTensor(images).requiresGrad_();
  const logits = model.forward(x);
  const predicted = Int32Array.from(logits.argmax(-1).dataSync());
  const k = model.config.classes;
  const chosen = new Float32Array(images.count * k);
  predicted.forEach((c, i) => {
    chosen[i * k + c] = 1;
  });
  const [grad] = gradients(logits.mul(tensor(chosen, [images.count, k])).sum(), [x]);
  const g = grad!.dataSync();
  model.train(wasTraining);
  const plane = images.height * images.width;
  const maps = Array.from({ length: images.count }, (_, i) => {
    const map = new Float32Array(plane);
    for (let c = 0; c < images.channels; c++) {
      for (let p = 0; p < plane; p++)
        map[p] = Math.max(map[p]!, Math.abs(g[(i * images.channels + c) * plane + p]!));
    }
    const top = Math.max(...map, 1e-12);
    return map.map((v) => v / top);
  });
  return { maps, predicted };
}

/** A heat map as RGBA pixels. */
function heatImage(map: Float32Array, width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  map.forEach((v, i) => {
    data.set([...heatColour(v), 255], i * 4);
  });
  return { width, height, data };
}

/** Writes each image beside its saliency map, captioned with the predicted class id. */
export function writeSaliencyGrid(
  path: string,
  model: Cnn,
  images: LabelledImages,
  indices: readonly number[],
): void {
  const picked = selectImages(images, indices);
  const { maps, predicted } = saliencyMaps(model, picked);
  const tiles: RgbaImage[] = [];
  const captions: string[] = [];
  maps.forEach((map, i) => {
    tiles.push(imageToRgba(imageAt(picked, i), picked), heatImage(map, picked.width, picked.height));
    captions.push(String(picked.labels[i]), String(predicted[i]));
  });
  writePng(path, imageGrid(tiles, { columns: 8, scale: 3, gap: 3, captions }));
}
