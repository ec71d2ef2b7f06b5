// Conversions between RGBA pixels (PNG files) and the float CHW images models take, and
// small drawing helpers for the pictures the CLI writes (grids, boxes, heat maps).
import type { RgbaImage } from "../formats/png.js";
import type { ImageShape } from "./augment.js";

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/**
 * RGBA pixels as a CHW float image in [0, 1]: one channel (luminance, ITU-R 601 weights, as
 * PIL's "L" mode) or three (red, green, blue). Transparent pixels count as black.
 */
export function rgbaToImage(rgba: RgbaImage, channels: 1 | 3): Float32Array {
  const { width, height, data } = rgba;
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  for (let i = 0; i < plane; i++) {
    const a = data[i * 4 + 3]! / 255;
    const [r, g, b] = [data[i * 4]! * a, data[i * 4 + 1]! * a, data[i * 4 + 2]! * a];
    if (channels === 1) out[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else {
      out[i] = r / 255;
      out[plane + i] = g / 255;
      out[2 * plane + i] = b / 255;
    }
  }
  return out;
}

/** A CHW float image (values clamped to [0, 1]; one channel as grey) as opaque RGBA pixels. */
export function imageToRgba(pixels: Float32Array, { channels, height, width }: ImageShape): RgbaImage {
  if (channels !== 1 && channels !== 3) throw new Error(`imageToRgba: 1 or 3 channels, got ${channels}`);
  const plane = width * height;
  const data = new Uint8Array(plane * 4);
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let i = 0; i < plane; i++) {
    const grey = channels === 1;
    data[i * 4] = byte(pixels[i]!);
    data[i * 4 + 1] = byte(pixels[grey ? i : plane + i]!);
    data[i * 4 + 2] = byte(pixels[grey ? i : 2 * plane + i]!);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

/** A blank canvas of one colour. */
export function canvas(width: number, height: number, fill: Rgb = [0, 0, 0]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([fill[0], fill[1], fill[2], 255], i * 4);
  return { width, height, data };
}

/** Copies `tile` onto `target` with its top-left corner at (x, y), each pixel scaled up `scale` times. */
export function paste(target: RgbaImage, tile: RgbaImage, x: number, y: number, scale = 1): void {
  for (let ty = 0; ty < tile.height * scale; ty++) {
    const py = y + ty;
    if (py < 0 || py >= target.height) continue;
    for (let tx = 0; tx < tile.width * scale; tx++) {
      const px = x + tx;
      if (px < 0 || px >= target.width) continue;
      const from = (Math.floor(ty / scale) * tile.width + Math.floor(tx / scale)) * 4;
      target.data.set(tile.data.subarray(from, from + 4), (py * target.width + px) * 4);
    }
  }
}

/** Sets the pixel that (x, y) falls in (ignored outside the image). */
export function setPixel(image: RgbaImage, x: number, y: number, [r, g, b]: Rgb): void {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  image.data.set([r, g, b, 255], (Math.floor(y) * image.width + Math.floor(x)) * 4);
}

/** The outline of a rectangle, `thickness` pixels wide, inside [x0, x1) × [y0, y1). */
export function strokeRect(
  image: RgbaImage,
  [x0, y0, x1, y1]: readonly [number, number, number, number],
  colour: Rgb,
  thickness = 1,
): void {
  const [l, t, r, b] = [Math.round(x0), Math.round(y0), Math.round(x1) - 1, Math.round(y1) - 1];
  for (let k = 0; k < thickness; k++) {
    for (let x = l; x <= r; x++) {
      setPixel(image, x, t + k, colour);
      setPixel(image, x, b - k, colour);
    }
    for (let y = t; y <= b; y++) {
      setPixel(image, l + k, y, colour);
      setPixel(image, r - k, y, colour);
    }
  }
}

/** 3×5 glyphs for labelling tiles: digits, a few letters and signs. */
const GLYPHS: Record<string, string> = {
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "111001111100111",
  "3": "111001111001111",
  "4": "101101111001001",
  "5": "111100111001111",
  "6": "111100111101111",
  "7": "111001010010010",
  "8": "111101111101111",
  "9": "111101111001111",
  ">": "100010001010100",
  "-": "000000111000000",
  "%": "101001010100101",
  ".": "000000000000010",
  " ": "000000000000000",
  "?": "111001011000010",
};

/** Draws text in the 3×5 font, each font pixel `scale` pixels wide (unknown characters as '?'). */
export function drawText(image: RgbaImage, text: string, x: number, y: number, colour: Rgb, scale = 1): void {
  [...text].forEach((ch, i) => {
    const glyph = GLYPHS[ch] ?? GLYPHS["?"]!;
    for (let gy = 0; gy < 5; gy++) {
      for (let gx = 0; gx < 3; gx++) {
        if (glyph[gy * 3 + gx] !== "1") continue;
        for (let sy = 0; sy < scale; sy++) {
          for (let sx = 0; sx < scale; sx++)
            setPixel(image, x + (i * 4 + gx) * scale + sx, y + gy * scale + sy, colour);
        }
      }
    }
  });
}

/** A colour for a value in [0, 1] on a black–red–yellow–white heat scale. */
export function heatColour(v: number): Rgb {
  const t = Math.min(1, Math.max(0, v)) * 3;
  const c = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 255);
  return [c(t), c(t - 1), c(t - 2)];
}

/**
 * Images laid out in a grid (row-major), each scaled up `scale` times, with `gap` pixels
 * between tiles and an optional caption under each.
 */
export function imageGrid(
  tiles: readonly RgbaImage[],
  options: { columns: number; scale?: number; gap?: number; captions?: readonly string[]; background?: Rgb },
): RgbaImage {
  if (tiles.length === 0) throw new Error("imageGrid: no images to lay out");
  const scale = options.scale ?? 1;
  const gap = options.gap ?? 2;
  const captionHeight = options.captions ? 7 : 0;
  const columns = Math.min(options.columns, tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const cellW = Math.max(...tiles.map((t) => t.width)) * scale;
  const cellH = Math.max(...tiles.map((t) => t.height)) * scale + captionHeight;
  const grid = canvas(
    columns * (cellW + gap) + gap,
    rows * (cellH + gap) + gap,
    options.background ?? [40, 40, 40],
  );
  tiles.forEach((tile, i) => {
    const x = gap + (i % columns) * (cellW + gap);
    const y = gap + Math.floor(i / columns) * (cellH + gap);
    paste(grid, tile, x, y, scale);
    const caption = options.captions?.[i];
    if (caption) drawText(grid, caption, x, y + tile.height * scale + 1, [255, 255, 255]);
  });
  return grid;
}
