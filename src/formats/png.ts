// PNG files through pngjs, as 8-bit RGBA pixels, with errors that say what is wrong with
// the file (pngjs's own messages for a damaged file are about its streams).
import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { writeFileAtomicSync } from "./atomic-write.js";

/** Pixels row by row, four bytes each (red, green, blue, alpha). */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Decodes a PNG file's bytes; `name` (a path) is what errors call it. */
export function decodePng(bytes: Uint8Array, name: string): RgbaImage {
  if (bytes.length < SIGNATURE.length || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${name} is not a PNG file (it does not start with the PNG signature)`);
  }
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    const reason = (error as Error).message;
    const truncated = /finished stream|unexpected end/i.test(reason);
    throw new Error(`${name} is a damaged PNG file (${truncated ? "it ends too early" : reason})`);
  }
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

export function readPng(path: string): RgbaImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? `${path} does not exist` : `could not read ${path}: ${(error as Error).message}`,
    );
  }
  return decodePng(bytes, path);
}

export function encodePng(image: RgbaImage): Uint8Array {
  if (image.data.length !== image.width * image.height * 4) {
    throw new Error(
      `encodePng: ${image.width}×${image.height} RGBA needs ${image.width * image.height * 4} bytes, got ${image.data.length}`,
    );
  }
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

/** Writes a PNG file atomically. */
export function writePng(path: string, image: RgbaImage): void {
  writeFileAtomicSync(path, encodePng(image));
}
