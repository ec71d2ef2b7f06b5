// `infiniset eval --checkpoint RUN` for the captioned-shapes models (detector, captioner,
// retrieval): the run's own held-out scenes, generated again from the standard split (each
// contains a colour–shape pair no training scene has), scored as training scored them.
import { SHAPE_NAMES } from "../../data/captioned-shapes.js";
import { evaluateDetector, loadDetector } from "../../vision/train-detector.js";
import {
  evaluateCaptioner,
  loadCaptioner,
  loadRetrieval,
  retrievalRecall,
  SHAPES_DEFAULTS,
  shapesData,
} from "../../vision/train-multimodal.js";
import type { VisionConfig } from "../../vision/vision-checkpoint.js";

export interface EvalShapesFlags {
  checkpoint: string;
  json?: boolean;
}

/** Wrong captions listed after the scores. */
const SHOWN_MISTAKES = 5;

export function evalShapesFromFlags(
  flags: EvalShapesFlags,
  config: VisionConfig,
  print: (line: string) => void,
): void {
  const stored = config.training.testScenes;
  const testScenes = typeof stored === "number" ? stored : SHAPES_DEFAULTS.testScenes;
  const { test } = shapesData(0, testScenes);
  const what = `the ${testScenes} held-out shapes scenes`;
  if (config.task === "detect") {
    const { map, perClass } = evaluateDetector(loadDetector(flags.checkpoint), test);
    if (flags.json) {
      print(
        JSON.stringify({ map, perClass: Object.fromEntries(SHAPE_NAMES.map((s, c) => [s, perClass[c]])) }),
      );
      return;
    }
    print(`${what}: mAP@0.5 ${map.toFixed(3)}`);
    SHAPE_NAMES.forEach((shape, c) => {
      print(`  AP ${shape.padEnd(8)} ${perClass[c]!.toFixed(3)}`);
    });
    return;
  }
  if (config.task === "caption") {
    const { exactMatch, bleu4, captions } = evaluateCaptioner(loadCaptioner(flags.checkpoint), test);
    if (flags.json) {
      print(JSON.stringify({ exactMatch, bleu4, scenes: testScenes }));
      return;
    }
    print(`${what}: exact match ${(100 * exactMatch).toFixed(1)}%, BLEU-4 ${bleu4.toFixed(3)}`);
    const wrong = test.scenes.flatMap((s, i) => (captions[i] === s.caption ? [] : [i]));
    for (const i of wrong.slice(0, SHOWN_MISTAKES)) {
      print(`  scene ${i}: "${captions[i]}"\n    should be "${test.scenes[i]!.caption}"`);
    }
    return;
  }
  if (config.task === "retrieve") {
    const recallAt1 = retrievalRecall(loadRetrieval(flags.checkpoint), test);
    print(
      flags.json
        ? JSON.stringify({ recallAt1, candidates: 100, scenes: testScenes })
        : `${what}: recall@1 among 100 captions ${(100 * recallAt1).toFixed(1)}%`,
    );
    return;
  }
  throw new Error(
    `${flags.checkpoint} holds a ${config.task} model; eval takes classifier and shapes models`,
  );
}
