// Object detection on plain arrays: box overlap (IoU), non-maximum suppression, and mean
// average precision at an IoU threshold (PASCAL VOC's definition: detections of a class
// ranked by score over all images, each true positive matching the best-overlapping unmatched
// ground-truth box of its image at IoU ≥ the threshold, AP the area under the precision–
// recall curve with precision made monotone, every recall point counted).

/** [x0, y0, x1, y1], x1 ≥ x0 and y1 ≥ y0. */
export type Box = readonly [number, number, number, number];

export interface Detection {
  box: Box;
  label: number;
  score: number;
}

export interface GroundTruth {
  box: Box;
  label: number;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Non-maximum suppression per class: detections by descending score, each kept unless a kept
 * detection of its class overlaps it by more than `threshold`.
 */
export function nonMaximumSuppression(detections: readonly Detection[], threshold = 0.5): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...detections].sort((a, b) => b.score - a.score)) {
    if (!kept.some((k) => k.label === d.label && iou(k.box, d.box) > threshold)) kept.push(d);
  }
  return kept;
}

/** Average precision of one class over images (`detections[i]` and `truths[i]` belong to image i). */
export function detectionAveragePrecision(
  detections: readonly (readonly Detection[])[],
  truths: readonly (readonly GroundTruth[])[],
  label: number,
  iouThreshold = 0.5,
): number {
  if (detections.length !== truths.length) {
    throw new Error(
      `detection AP: ${detections.length} images of detections, ${truths.length} of ground truth`,
    );
  }
  const positives = truths.reduce((n, t) => n + t.filter((g) => g.label === label).length, 0);
  if (positives === 0) return Number.NaN;
  const ranked = detections
    .flatMap((ds, image) => ds.filter((d) => d.label === label).map((d) => ({ ...d, image })))
    .sort((a, b) => b.score - a.score);
  const matched = truths.map((t) => new Array<boolean>(t.length).fill(false));
  let tp = 0;
  let fp = 0;
  const recall: number[] = [];
  const precision: number[] = [];
  for (const d of ranked) {
    let best = -1;
    let bestIou = iouThreshold;
    truths[d.image]!.forEach((g, j) => {
      if (g.label !== label || matched[d.image]![j]) return;
      const overlap = iou(d.box, g.box);
      if (overlap >= bestIou) {
        bestIou = overlap;
        best = j;
      }
    });
    if (best >= 0) {
      matched[d.image]![best] = true;
      tp++;
    } else fp++;
    recall.push(tp / positives);
    precision.push(tp / (tp + fp));
  }
  // Precision made monotone (non-increasing in recall), then the area under the steps.
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let ap = 0;
  let previousRecall = 0;
  recall.forEach((r, i) => {
    ap += (r - previousRecall) * precision[i]!;
    previousRecall = r;
  });
  return ap;
}

/** The mean of the per-class APs over the classes that have ground truth. */
export function meanAveragePrecision(
  detections: readonly (readonly Detection[])[],
  truths: readonly (readonly GroundTruth[])[],
  classes: number,
  iouThreshold = 0.5,
): { map: number; perClass: number[] } {
  const perClass = Array.from({ length: classes }, (_, c) =>
    detectionAveragePrecision(detections, truths, c, iouThreshold),
  );
  const present = perClass.filter((ap) => !Number.isNaN(ap));
  return { map: present.reduce((a, b) => a + b, 0) / Math.max(1, present.length), perClass };
}
