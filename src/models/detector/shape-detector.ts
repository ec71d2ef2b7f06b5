import {
  type Box,
  type Detection,
  type GroundTruth,
  nonMaximumSuppression,
} from "../../metrics/detection.js";
import { Conv2d } from "../../nn/conv2d.js";
import { Module } from "../../nn/module.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { concat, crossEntropy } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ImageEncoder, type ImageEncoderConfig } from "../multimodal/image-encoder.js";

export interface DetectorConfig {
  encoder: ImageEncoderConfig;
  classes: string[];
  /** The box size (pixels) that a zero size output stands for. */
  anchor: number;
}

/**
 * A small single-stage detector (CenterNet/YOLO-like): a CNN gives a grid of cells (one per
 * `stride` × `stride` pixels), and for each cell a 3×3 conv and a 1×1 conv predict whether an
 * object's centre lies in it (a logit), where in the cell (two sigmoids), its size
 * (anchor · e^t for width and height) and its class. Training: binary cross-entropy of every
 * cell's objectness, and on the cells that hold a centre, L1 of the box terms and
 * cross-entropy of the class. Detection: cells above a score threshold, then non-maximum
 * suppression.
 */
export class ShapeDetector extends Module {
  readonly backbone: ImageEncoder;
  readonly neck: Conv2d;
  readonly head: Conv2d;
  readonly stride: number;

  constructor(
    readonly config: DetectorConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    const rng = options.rng;
    this.backbone = this.submodule(
      "backbone",
      new ImageEncoder({ ...config.encoder, positions: false }, { rng }),
    );
    const width = this.backbone.embd;
    this.neck = this.submodule("neck", new Conv2d(width, width, 3, { padding: 1, rng }));
    this.head = this.submodule("head", new Conv2d(width, 5 + config.classes.length, 1, { rng }));
    this.stride = config.encoder.height / this.backbone.grid[0];
  }

  /** Per-cell outputs [B, 5 + classes, gridH, gridW]: objectness, x, y, w, h, class logits. */
  forward(images: Tensor): Tensor {
    return this.head.forward(this.neck.forward(this.backbone.features(images)).relu());
  }

  /** Training targets of each image's boxes on the grid (host arrays). */
  #targets(truths: readonly (readonly GroundTruth[])[]) {
    const [gh, gw] = this.backbone.grid;
    const cells = gh * gw;
    const b = truths.length;
    const objectness = new Float32Array(b * cells);
    const boxes = new Float32Array(b * 4 * cells);
    const labels = new Int32Array(b * cells).fill(-1);
    truths.forEach((objects, i) => {
      for (const { box, label } of objects) {
        const [cx, cy] = [(box[0] + box[2]) / 2 / this.stride, (box[1] + box[3]) / 2 / this.stride];
        const [col, row] = [Math.min(gw - 1, Math.floor(cx)), Math.min(gh - 1, Math.floor(cy))];
        const cell = row * gw + col;
        objectness[i * cells + cell] = 1;
        labels[i * cells + cell] = label;
        const values = [
          cx - col,
          cy - row,
          Math.log((box[2] - box[0]) / this.config.anchor),
          Math.log((box[3] - box[1]) / this.config.anchor),
        ];
        values.forEach((v, k) => {
          boxes[(i * 4 + k) * cells + cell] = v;
        });
      }
    });
    return { objectness, boxes, labels, cells };
  }

  /** The training loss for images [B, C, H, W] and each image's ground-truth boxes. */
  loss(images: Tensor, truths: readonly (readonly GroundTruth[])[]): Tensor {
    const b = truths.length;
    const k = this.config.classes.length;
    const out = this.forward(images);
    const { objectness, boxes, labels, cells } = this.#targets(truths);
    const flat = out.reshape([b, 5 + k, cells]);
    const logit = flat.slice([0, 0, 0], [b, 1, cells]).reshape([b, cells]);
    const target = tensor(objectness, [b, cells]);
    // Binary cross-entropy with logits, stably: max(l, 0) − l·t + log(1 + e^−|l|); the mean
    // over cells with a centre plus the mean over the others, so that the many empty cells
    // do not teach the detector to find nothing.
    const bce = logit.relu().sub(logit.mul(target)).add(logit.abs().neg().exp().add(1).log());
    const positives = objectness.reduce((s, v) => s + v, 0);
    const negatives = objectness.length - positives;
    const weights = objectness.map((t) => (t ? 1 / Math.max(1, positives) : 1 / Math.max(1, negatives)));
    const objectLoss = bce.mul(tensor(weights, [b, cells])).sum();
    const mask = target.reshape([b, 1, cells]);
    // Box terms: the centre's place in its cell through a sigmoid, the log sizes as they are.
    const predicted = concat(
      [flat.slice([0, 1, 0], [b, 3, cells]).sigmoid(), flat.slice([0, 3, 0], [b, 5, cells])],
      1,
    );
    const boxLoss = predicted
      .sub(tensor(boxes, [b, 4, cells]))
      .abs()
      .mul(mask)
      .sum()
      .div(Math.max(1, positives));
    const classLogits = flat
      .slice([0, 5, 0], [b, 5 + k, cells])
      .permute([0, 2, 1])
      .reshape([b * cells, k]);
    const classLoss = crossEntropy(classLogits, tensor(labels, [b * cells], { dtype: "int32" }), {
      ignoreIndex: -1,
    });
    return objectLoss.add(boxLoss).add(classLoss);
  }

  /** Detections of each image: cells whose objectness is at least `threshold`, then NMS. */
  detect(images: Tensor, threshold = 0.3): Detection[][] {
    const b = images.shape[0]!;
    const k = this.config.classes.length;
    const [gh, gw] = this.backbone.grid;
    const cells = gh * gw;
    const values = noGrad(() => this.forward(images).dataSync());
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    return Array.from({ length: b }, (_, i) => {
      const at = (channel: number, cell: number) => values[(i * (5 + k) + channel) * cells + cell]!;
      const found: Detection[] = [];
      for (let cell = 0; cell < cells; cell++) {
        const score = sigmoid(at(0, cell));
        if (score < threshold) continue;
        const [row, col] = [Math.floor(cell / gw), cell % gw];
        const cx = (col + sigmoid(at(1, cell))) * this.stride;
        const cy = (row + sigmoid(at(2, cell))) * this.stride;
        const w = this.config.anchor * Math.exp(at(3, cell));
        const h = this.config.anchor * Math.exp(at(4, cell));
        let label = 0;
        for (let c = 1; c < k; c++) if (at(5 + c, cell) > at(5 + label, cell)) label = c;
        const box: Box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
        found.push({ box, label, score });
      }
      return nonMaximumSuppression(found, 0.5);
    });
  }
}
