// Image augmentation on the host: random affine maps (shift, rotation, scale), elastic
// distortion, Gaussian noise, cutout, and mixup across a batch. Each per-image augmentation
// is a function of the image and a SeededRng, so a run draws the same augmented images every
// time; `composeAugmentations` chains them in order.
import type { SeededRng } from "../random/seeded-rng.js";
import { type Images, imageSize } from "./images.js";

/** Channels, height and width of one image. */
export interface ImageShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Maps one image (CHW values) to a new one of the same shape; never changes its input. */
export type ImageAugmentation = (pixels: Float32Array, shape: ImageShape, rng: SeededRng) => Float32Array;

/** A uniform draw in [lo, hi). */
const uniform = (rng: SeededRng, lo: number, hi: number) => lo + (hi - lo) * rng.nextFloat();

/** A standard normal draw (Box-Muller). */
export function normalDraw(rng: SeededRng): number {
  const u = 1 - rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

/**
 * Resamples every channel at source positions: output pixel (y, x) reads the input at
 * `source(y, x)` (row, column, in pixels) by bilinear interpolation; outside the image reads `fill`.
 */
function resample(
  pixels: Float32Array,
  { channels, height, width }: ImageShape,
  source: (y: number, x: number) => readonly [number, number],
  fill = 0,
): Float32Array {
  const out = new Float32Array(pixels.length);
  const plane = height * width;
  const at = (c: number, y: number, x: number) =>
    y >= 0 && y < height && x >= 0 && x < width ? pixels[c * plane + y * width + x]! : fill;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sy, sx] = source(y, x);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      for (let c = 0; c < channels; c++) {
        out[c * plane + y * width + x] =
          (1 - fy) * ((1 - fx) * at(c, y0, x0) + fx * at(c, y0, x0 + 1)) +
          fy * ((1 - fx) * at(c, y0 + 1, x0) + fx * at(c, y0 + 1, x0 + 1));
      }
    }
  }
  return out;
}

export interface AffineOptions {
  /** Rotation drawn from ±degrees (default 10). */
  degrees?: number;
  /** Shift drawn from ±translate·size along each axis (default 0.1). */
  translate?: number;
  /** Scale drawn from [lo, hi] (default [0.9, 1.1]). */
  scale?: readonly [number, number];
}

/** A random rotation about the centre, scaling and shift; pixels from outside the image are 0. */
export function randomAffine(options: AffineOptions = {}): ImageAugmentation {
  const degrees = options.degrees ?? 10;
  const translate = options.translate ?? 0.1;
  const [lo, hi] = options.scale ?? [0.9, 1.1];
  if (!(degrees >= 0 && translate >= 0 && lo > 0 && hi >= lo)) {
    throw new Error(
      `randomAffine: needs degrees ≥ 0, translate ≥ 0 and 0 < scale lo ≤ hi, got ${JSON.stringify(options)}`,
    );
  }
  return (pixels, shape, rng) => {
    const angle = (uniform(rng, -degrees, degrees) * Math.PI) / 180;
    const s = uniform(rng, lo, hi);
    const ty = uniform(rng, -translate, translate) * shape.height;
    const tx = uniform(rng, -translate, translate) * shape.width;
    const [cy, cx] = [(shape.height - 1) / 2, (shape.width - 1) / 2];
    const [cos, sin] = [Math.cos(angle) / s, Math.sin(angle) / s];
    // The inverse map: undo the shift, then the rotation and scale about the centre.
    return resample(pixels, shape, (y, x) => {
      const [u, v] = [x - cx - tx, y - cy - ty];
      return [cy - sin * u + cos * v, cx + cos * u + sin * v];
    });
  };
}

/** A 1-D Gaussian kernel of standard deviation sigma, truncated at 3σ, summing to 1. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Float32Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / total);
}

/** A field smoothed by a separable Gaussian (zero beyond the edges). */
function smooth(field: Float32Array, height: number, width: number, kernel: Float32Array): Float32Array {
  const r = (kernel.length - 1) / 2;
  const rows = new Float32Array(field.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++)
        if (x + k >= 0 && x + k < width) s += kernel[k + r]! * field[y * width + x + k]!;
      rows[y * width + x] = s;
    }
  }
  const out = new Float32Array(field.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++)
        if (y + k >= 0 && y + k < height) s += kernel[k + r]! * rows[(y + k) * width + x]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

export interface ElasticOptions {
  /** Displacement scale in pixels (default 34, Simard et al.'s for MNIST). */
  alpha?: number;
  /** Smoothness of the displacement field: the Gaussian's σ in pixels (default 4). */
  sigma?: number;
}

/** Elastic distortion: every pixel moved by a random, Gaussian-smoothed displacement field. */
export function elasticDistortion(options: ElasticOptions = {}): ImageAugmentation {
  const alpha = options.alpha ?? 34;
  const sigma = options.sigma ?? 4;
  if (!(alpha >= 0 && sigma > 0))
    throw new Error(`elasticDistortion: needs alpha ≥ 0 and sigma > 0, got ${JSON.stringify(options)}`);
  const kernel = gaussianKernel(sigma);
  return (pixels, shape, rng) => {
    const { height, width } = shape;
    const field = () =>
      smooth(
        Float32Array.from({ length: height * width }, () => uniform(rng, -1, 1)),
        height,
        width,
        kernel,
      );
    const [dy, dx] = [field(), field()];
    return resample(pixels, shape, (y, x) => [
      y + alpha * dy[y * width + x]!,
      x + alpha * dx[y * width + x]!,
    ]);
  };
}

export interface NoiseOptions {
  /** Standard deviation of the Gaussian noise (default 0.1). */
  std?: number;
  /** Clamp the result to [0, 1] (default true: pixel intensities). */
  clamp?: boolean;
}

/** Adds Gaussian noise to every value. */
export function gaussianNoise(options: NoiseOptions = {}): ImageAugmentation {
  const std = options.std ?? 0.1;
  const clamp = options.clamp ?? true;
  if (!(std >= 0)) throw new Error(`gaussianNoise: std must be ≥ 0, got ${std}`);
  return (pixels, _shape, rng) =>
    pixels.map((v) => {
      const noisy = v + std * normalDraw(rng);
      return clamp ? Math.min(1, Math.max(0, noisy)) : noisy;
    });
}

export interface CutoutOptions {
  /** Side of the square set to zero, in pixels (default: a quarter of the smaller side, at least 1). */
  size?: number;
}

/** Cutout: a square at a random centre (it may hang over the edge) set to zero in every channel. */
export function cutout(options: CutoutOptions = {}): ImageAugmentation {
  return (pixels, { channels, height, width }, rng) => {
    const size = options.size ?? Math.max(1, Math.round(Math.min(height, width) / 4));
    if (!(Number.isInteger(size) && size >= 1))
      throw new Error(`cutout: size must be a positive integer, got ${size}`);
    const cy = rng.nextInt(height);
    const cx = rng.nextInt(width);
    const out = pixels.slice();
    const y0 = Math.max(0, cy - Math.floor(size / 2));
    const x0 = Math.max(0, cx - Math.floor(size / 2));
    const y1 = Math.min(height, cy - Math.floor(size / 2) + size);
    const x1 = Math.min(width, cx - Math.floor(size / 2) + size);
    for (let c = 0; c < channels; c++) {
      for (let y = y0; y < y1; y++) out.fill(0, (c * height + y) * width + x0, (c * height + y) * width + x1);
    }
    return out;
  };
}

/** Applies augmentations one after another. */
export function composeAugmentations(...augmentations: ImageAugmentation[]): ImageAugmentation {
  return (pixels, shape, rng) => augmentations.reduce((p, augment) => augment(p, shape, rng), pixels);
}

/** Every image of a batch augmented (a new batch; labels and the rest carried over). */
export function augmentImages<T extends Images>(
  images: T,
  augmentation: ImageAugmentation,
  rng: SeededRng,
): T {
  const size = imageSize(images);
  const data = new Float32Array(images.data.length);
  for (let i = 0; i < images.count; i++) {
    data.set(augmentation(images.data.subarray(i * size, (i + 1) * size), images, rng), i * size);
  }
  return { ...images, data };
}

/** A draw from Gamma(shape, 1) (Marsaglia and Tsang; shape < 1 by the boost U^(1/shape)). */
function gammaDraw(shape: number, rng: SeededRng): number {
  if (shape < 1) return gammaDraw(shape + 1, rng) * (1 - rng.nextFloat()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normalDraw(rng);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.nextFloat();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A draw from Beta(a, a). */
export function betaDraw(a: number, rng: SeededRng): number {
  const x = gammaDraw(a, rng);
  const y = gammaDraw(a, rng);
  return x / (x + y);
}

/**
 * Mixup (Zhang et al.): one λ ~ Beta(alpha, alpha) for the batch, and each image blended
 * with a random partner, λ·xᵢ + (1 − λ)·x_π(i), its one-hot target blended the same way.
 * Returns the new images and soft targets [count, classes].
 */
export function mixup(
  images: Images,
  labels: ArrayLike<number>,
  classes: number,
  alpha: number,
  rng: SeededRng,
): { images: Images; targets: Float32Array } {
  if (!(alpha > 0)) throw new Error(`mixup: alpha must be > 0, got ${alpha}`);
  const lambda = betaDraw(alpha, rng);
  const n = images.count;
  const partner = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [partner[i], partner[j]] = [partner[j]!, partner[i]!];
  }
  const size = imageSize(images);
  const data = new Float32Array(images.data.length);
  const targets = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const p = partner[i]!;
    for (let k = 0; k < size; k++) {
      data[i * size + k] = lambda * images.data[i * size + k]! + (1 - lambda) * images.data[p * size + k]!;
    }
    targets[i * classes + labels[i]!]! += lambda;
    targets[i * classes + labels[p]!]! += 1 - lambda;
  }
  return { images: { ...images, data }, targets };
}
