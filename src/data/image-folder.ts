// Users' own images: a folder with one subfolder per class, each holding PNG files
// (`digits/0/a.png`, `digits/1/b.png`, …). Classes are the subfolder names in sorted order;
// every image must have the same size (or the size a model asks for).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readPng } from "../formats/png.js";
import type { Images, LabelledImages } from "../image/images.js";
import { rgbaToImage } from "../image/pixels.js";

export interface ImageFolderOptions {
  /** 1 for grey levels (luminance), 3 for RGB. Default 1. */
  channels?: 1 | 3;
  /** [height, width] every image must have; default: that of the first image. */
  size?: readonly [number, number];
}

/** Labelled images with the file each came from. */
export interface ImageFolder extends LabelledImages {
  readonly files: readonly string[];
}

const isPng = (name: string) => name.toLowerCase().endsWith(".png");

/** Reads every PNG under `dir/<class>/` as grey or RGB values in [0, 1]. */
export function loadImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const channels = options.channels ?? 1;
  const classes = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
  if (classes.length === 0) {
    throw new Error(`${dir} has no class folders (expected ${dir}/<class>/<image>.png)`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  classes.forEach((name, label) => {
    const pngs = readdirSync(join(dir, name)).filter(isPng).sort();
    if (pngs.length === 0) throw new Error(`${join(dir, name)} has no PNG files`);
    for (const file of pngs) {
      files.push(join(dir, name, file));
      labels.push(label);
    }
  });
  let size = options.size;
  let sizeFrom = size ? "the model's size" : "";
  const images = files.map((file) => {
    const rgba = readPng(file);
    if (!size) {
      size = [rgba.height, rgba.width];
      sizeFrom = `that of ${file}`;
    }
    if (rgba.height !== size[0] || rgba.width !== size[1]) {
      throw new Error(
        `${file} is ${rgba.width}×${rgba.height}; the images must be ${size[1]}×${size[0]} (${sizeFrom})`,
      );
    }
    return rgbaToImage(rgba, channels);
  });
  const [height, width] = size!;
  const data = new Float32Array(images.length * channels * height * width);
  images.forEach((pixels, i) => {
    data.set(pixels, i * pixels.length);
  });
  return {
    data,
    labels: Int32Array.from(labels),
    count: images.length,
    channels,
    height,
    width,
    classes,
    files,
  };
}

/** PNG files as one batch of `channels` × `size` images in [0, 1] (any other size is an error). */
export function loadImageFiles(
  files: readonly string[],
  channels: 1 | 3,
  [height, width]: readonly [number, number],
): Images {
  const size = channels * height * width;
  const data = new Float32Array(files.length * size);
  files.forEach((file, i) => {
    const rgba = readPng(file);
    if (rgba.width !== width || rgba.height !== height) {
      throw new Error(`${file} is ${rgba.width}×${rgba.height}; the model takes ${width}×${height} images`);
    }
    data.set(rgbaToImage(rgba, channels), i * size);
  });
  return { data, count: files.length, channels, height, width };
}
