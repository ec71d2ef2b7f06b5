import assert from "node:assert/strict";
import { test } from "node:test";
import {
  detectionAveragePrecision,
  iou,
  meanAveragePrecision,
  nonMaximumSuppression,
} from "../../src/metrics/detection.js";

test("IoU: overlap over union", () => {
  assert.equal(iou([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
  assert.equal(iou([0, 0, 2, 2], [0, 0, 2, 2]), 1);
  assert.equal(iou([0, 0, 1, 1], [2, 2, 3, 3]), 0);
  assert.equal(iou([0, 0, 0, 0], [0, 0, 0, 0]), 0);
});

test("non-maximum suppression keeps the best of overlapping boxes of a class, and other classes", () => {
  const kept = nonMaximumSuppression([
    { box: [0, 0, 10, 10], label: 0, score: 0.8 },
    { box: [1, 1, 11, 11], label: 0, score: 0.9 },
    { box: [1, 1, 11, 11], label: 1, score: 0.3 },
    { box: [20, 20, 30, 30], label: 0, score: 0.5 },
  ]);
  assert.deepEqual(
    kept.map((d) => d.score),
    [0.9, 0.5, 0.3],
  );
});

test("average precision: ranked matches, monotone precision, area under the recall steps", () => {
  // Two objects; detections by score: hit, miss (wrong place), hit. Recall 0.5, 0.5, 1 with
  // precision 1, 0.5, 2/3 → monotone 1, 2/3, 2/3 → AP = 0.5·1 + 0.5·2/3.
  const truths = [
    [
      { box: [0, 0, 10, 10] as const, label: 0 },
      { box: [20, 0, 30, 10] as const, label: 0 },
    ],
  ];
  const detections = [
    [
      { box: [0, 0, 10, 9] as const, label: 0, score: 0.9 },
      { box: [40, 40, 50, 50] as const, label: 0, score: 0.8 },
      { box: [21, 0, 30, 10] as const, label: 0, score: 0.7 },
      // a duplicate of the first hit is a false positive, but it ranks last
      { box: [0, 0, 10, 10] as const, label: 0, score: 0.1 },
    ],
  ];
  assert.ok(Math.abs(detectionAveragePrecision(detections, truths, 0) - (0.5 + 0.5 * (2 / 3))) < 1e-12);
  // a class without ground truth has no AP and is left out of the mean
  const { map, perClass } = meanAveragePrecision(detections, truths, 2);
  assert.ok(Number.isNaN(perClass[1]!));
  assert.equal(map, perClass[0]);
  // a detection that overlaps less than the threshold does not count
  assert.equal(
    detectionAveragePrecision([[{ box: [5, 0, 15, 10], label: 0, score: 1 }]], [[truths[0]![0]!]], 0),
    0,
  );
});
