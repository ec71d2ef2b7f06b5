// `infiniset eval --checkpoint RUN` for an image classifier: the held-out images of its data
// (or every image of a --data folder), the evaluation table and confusion matrix, and two
// pictures: the misclassified images and saliency maps of the first few.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { formatEvaluation } from "../../classify/evaluate-classifier.js";
import { loadImageFolder } from "../../data/image-folder.js";
import type { LabelledImages } from "../../image/images.js";
import {
  evaluateImageClassifier,
  writeMisclassifiedGrid,
  writeSaliencyGrid,
} from "../../vision/evaluate-image-classifier.js";
import { loadImageClassifier } from "../../vision/train-image-classifier.js";
import { imageData } from "./train-cnn.js";

export interface EvalImageFlags {
  checkpoint: string;
  data?: string;
  json?: boolean;
  plots?: string;
}

export function evalImageClassifierFromFlags(flags: EvalImageFlags, print: (line: string) => void): void {
  const { model, classes, training } = loadImageClassifier(flags.checkpoint);
  const { channels, height, width } = model.config;
  let images: LabelledImages;
  let what: string;
  if (flags.data !== undefined) {
    const folder = loadImageFolder(flags.data, { channels: channels as 1 | 3, size: [height, width] });
    if (folder.classes.join("\n") !== classes.join("\n")) {
      throw new Error(
        `${flags.data} has classes ${folder.classes.join(", ")}; the model knows ${classes.join(", ")}`,
      );
    }
    images = folder;
    what = `all ${folder.count} images of ${flags.data}`;
  } else {
    const source = typeof training.data === "string" ? training.data : undefined;
    if (source === undefined)
      throw new Error(`${flags.checkpoint} does not say what it was trained on; pass --data`);
    images = imageData(source, typeof training.seed === "number" ? training.seed : 0).test;
    what = `the ${images.count} held-out images of ${source}`;
  }
  const evaluation = evaluateImageClassifier(model, images, classes);
  const dir = flags.plots ?? flags.checkpoint;
  mkdirSync(dir, { recursive: true });
  const misclassifiedPath = join(dir, "misclassified.png");
  const shown = writeMisclassifiedGrid(misclassifiedPath, images, evaluation.misclassified);
  const saliencyPath = join(dir, "saliency.png");
  const examples = Array.from({ length: Math.min(16, images.count) }, (_, i) => i);
  writeSaliencyGrid(saliencyPath, model, images, examples);
  if (flags.json) {
    const { misclassified, ...rest } = evaluation;
    print(
      JSON.stringify({
        ...rest,
        misclassified: misclassified.length,
        misclassifiedPng: misclassifiedPath,
        saliencyPng: saliencyPath,
      }),
    );
    return;
  }
  print(`${what}:`);
  for (const line of formatEvaluation(evaluation)) print(line);
  print("");
  print(
    shown > 0
      ? `${misclassifiedPath}: ${shown} of ${evaluation.misclassified.length} misclassified images, captioned true>predicted (class ids)`
      : "no image was misclassified",
  );
  print(
    `${saliencyPath}: the first ${examples.length} images, each beside its saliency map |∂ logit / ∂ pixel| (captions: true, predicted)`,
  );
}
