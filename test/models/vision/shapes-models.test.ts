// The captioned-shapes models learn a handful of scenes by heart (tiny widths, seconds):
// the detector finds their boxes, the captioner writes their captions, retrieval matches
// each image to its caption; and what each model checks of its input.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { captionOf, renderScene, SCENE_SIZE } from "../../../src/data/captioned-shapes.js";
import { selectImages } from "../../../src/image/images.js";
import { CaptionVocabulary } from "../../../src/models/multimodal/caption-vocabulary.js";
import { dropWords } from "../../../src/models/multimodal/captioner.js";
import { ImageEncoder } from "../../../src/models/multimodal/image-encoder.js";
import { SeededRng } from "../../../src/random/seeded-rng.js";
import { tensor, zeros } from "../../../src/tensor/creation.js";
import { evaluateDetector, loadDetector, trainDetector } from "../../../src/vision/train-detector.js";
import { imagesTensor } from "../../../src/vision/train-image-classifier.js";
import {
  evaluateCaptioner,
  loadCaptioner,
  SHAPES_DEFAULTS,
  shapesData,
  trainCaptioner,
  trainRetrieval,
} from "../../../src/vision/train-multimodal.js";

const dir = mkdtempSync(join(tmpdir(), "infiniset-shapes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const small = { ...SHAPES_DEFAULTS, batchSize: 8, layers: 1, heads: 2, convChannels: [8, 16] };
const scenes = (n: number) => {
  const { train } = shapesData(n, 0);
  return { train, test: train };
};

test("the detector learns the boxes and shapes of 16 scenes (mAP@0.5), and a checkpoint detects the same", () => {
  const data = scenes(16);
  const out = join(dir, "detector");
  const { model, history } = trainDetector({ ...small, epochs: 60, lr: 0.01 }, { out }, data);
  assert.ok(history[0]!.map! < 0.2, `mAP after one epoch ${history[0]!.map}`);
  assert.ok(history[59]!.map! >= 0.6, `mAP after training ${history[59]!.map}`);
  const loaded = loadDetector(out);
  const first = imagesTensor(selectImages(data.test, [0]));
  assert.deepEqual(loaded.detect(first), model.eval().detect(first));
  const { detections } = evaluateDetector(loaded, data.test);
  for (const d of detections.flat()) assert.ok(d.box[2] > d.box[0] && d.box[3] > d.box[1]);
});

test("the captioner learns the captions of 8 scenes; a checkpoint captions the same", () => {
  const data = scenes(8);
  const out = join(dir, "captioner");
  const { model, history } = trainCaptioner(
    { ...small, convChannels: [8, 32], epochs: 100, lr: 0.01, wordDropout: 0 },
    { out },
    data,
  );
  assert.ok(history[99]!.trainLoss < 0.2 * history[0]!.trainLoss, JSON.stringify(history[99]));
  const scores = evaluateCaptioner(model, data.test);
  assert.ok(scores.exactMatch >= 0.75, scores.captions.join(" | "));
  assert.ok(scores.bleu4 >= 0.7);
  assert.deepEqual(evaluateCaptioner(loadCaptioner(out), data.test).captions, scores.captions);
});

test("retrieval learns to rank 8 images' own captions first", () => {
  const { history } = trainRetrieval(
    { ...small, batchSize: 4, epochs: 60, lr: 0.003 },
    { candidates: 8 },
    scenes(8),
  );
  const [first, last] = [history[0]!, history[59]!];
  assert.ok(last.trainLoss < 0.6 * first.trainLoss, JSON.stringify([first, last]));
  assert.ok(last.recallAt1! >= 0.6, JSON.stringify(last));
});

test("a colour-stream encoder's shape tokens are the same in every colour; its colour tokens differ", () => {
  const encoder = new ImageEncoder(
    { channels: 3, height: SCENE_SIZE, width: SCENE_SIZE, convChannels: [4, 8], colourStream: true },
    { rng: new SeededRng(3) },
  );
  const scene = (colour: "red" | "green") => {
    const objects = [{ shape: "circle", colour, size: "large", box: [10, 12, 21, 23] }] as const;
    return renderScene({ objects, layout: "single", caption: captionOf(objects, "single") });
  };
  const images = new Float32Array([...scene("red"), ...scene("green")]);
  const tokens = encoder.forward(tensor(images, [2, 3, SCENE_SIZE, SCENE_SIZE])).toArray() as number[][][];
  const cells = encoder.grid[0] * encoder.grid[1];
  assert.equal(tokens[0]!.length, 2 * cells);
  assert.deepEqual(tokens[0]!.slice(0, cells), tokens[1]!.slice(0, cells));
  assert.notDeepEqual(tokens[0]!.slice(cells), tokens[1]!.slice(cells));
});

test("word dropout replaces caption words (never start, end or padding) by padding", () => {
  const ids = new Int32Array([1, 3, 4, 5, 2, 0, 0]);
  assert.deepEqual([...dropWords(ids, 0, new SeededRng(1))], [...ids]);
  assert.deepEqual([...dropWords(ids, 1, new SeededRng(1))], [1, 0, 0, 0, 2, 0, 0]);
  const many = new Int32Array(1000).fill(7);
  const dropped = dropWords(many, 0.6, new SeededRng(2)).filter((id) => id === 0).length;
  assert.ok(dropped > 540 && dropped < 660, `${dropped} of 1000 dropped`);
});

test("captions: encoded with start and end, decoded back; bad words and lengths are errors", () => {
  const vocabulary = new CaptionVocabulary(["a", "red", "circle"]);
  const ids = vocabulary.encode("a red circle", 6);
  assert.deepEqual([...ids], [1, 3, 4, 5, 2, 0]);
  assert.equal(vocabulary.decode(ids.subarray(1)), "a red circle");
  assert.throws(() => vocabulary.encode("a blue circle", 6), /"blue" is not in the vocabulary/);
  assert.throws(() => vocabulary.encode("a red circle", 4), /at most 2 fit/);
});

test("the models reject images of the wrong size", () => {
  const { model } = trainDetector({ ...small, epochs: 1 }, {}, scenes(8));
  assert.throws(() => model.detect(zeros([1, 3, 32, 32])), /expects images \[batch, 3, 40, 40\]/);
});
