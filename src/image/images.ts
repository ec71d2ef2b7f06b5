/**
 * Images on the host: a batch as one float32 array in NCHW order ([count, channels, height,
 * width], row-major), the layout the image instructions take. Pixel values are whatever the
 * producer says (the loaders give [0, 1]).
 */
export interface Images {
  readonly data: Float32Array;
  readonly count: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** Images with a class id each and the classes' names (index = id). */
export interface LabelledImages extends Images {
  readonly labels: Int32Array;
  readonly classes: readonly string[];
}

/** Values per image. */
export function imageSize(images: Pick<Images, "channels" | "height" | "width">): number {
  return images.channels * images.height * images.width;
}

/** The images at `indices`, in that order (labels with them). */
export function selectImages<T extends Images>(images: T, indices: readonly number[]): T {
  const size = imageSize(images);
  const data = new Float32Array(indices.length * size);
  indices.forEach((i, k) => {
    if (!(i >= 0 && i < images.count))
      throw new Error(`selectImages: index ${i} is outside 0…${images.count - 1}`);
    data.set(images.data.subarray(i * size, (i + 1) * size), k * size);
  });
  const picked: Images = { ...images, data, count: indices.length };
  if ("labels" in images) {
    const labels = (images as unknown as LabelledImages).labels;
    return { ...picked, labels: Int32Array.from(indices, (i) => labels[i]!) } as unknown as T;
  }
  return picked as T;
}

/** One image's values (a view, not a copy). */
export function imageAt(images: Images, index: number): Float32Array {
  const size = imageSize(images);
  return images.data.subarray(index * size, (index + 1) * size);
}
