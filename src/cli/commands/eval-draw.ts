// `infiniset eval --checkpoint RUN` for a digit generator (train cvae): its loss on the 2,000
// held-out digits of the standard split and, with --judge (a trained MNIST CNN), the share of
// its drawings, 100 of each digit, that the CNN classifies as the digit asked for, and their
// variety (how far apart two drawings of a digit are, relative to two real held-out digits).
import { MNIST } from "../../data/mnist.js";
import {
  drawingVariety,
  heldOutLoss,
  judgeDrawings,
  loadDigitGenerator,
} from "../../vision/train-digit-generator.js";
import { loadImageClassifier } from "../../vision/train-image-classifier.js";
import { imageData } from "./train-cnn.js";

export interface EvalDrawFlags {
  checkpoint: string;
  judge?: string;
  temperature?: number;
  seed: number;
  json?: boolean;
}

/** Drawings of each digit the judge looks at. */
const PER_DIGIT = 100;

export function evalDrawFromFlags(flags: EvalDrawFlags, print: (line: string) => void): void {
  const model = loadDigitGenerator(flags.checkpoint);
  const { test } = imageData(MNIST);
  const loss = heldOutLoss(model, test);
  const judge = flags.judge === undefined ? undefined : loadImageClassifier(flags.judge);
  const judged = judge
    ? judgeDrawings(model, judge.model, {
        perWord: PER_DIGIT,
        seed: flags.seed,
        temperature: flags.temperature ?? 1,
        judgeClasses: judge.classes,
      })
    : undefined;
  const variety = judged && drawingVariety(judged, test);
  const words = model.config.words;
  const perDigit = (values: number[]) => Object.fromEntries(words.map((w, i) => [w, values[i]]));
  if (flags.json) {
    print(
      JSON.stringify({
        heldOutLoss: loss,
        ...(judged && {
          recognised: judged.accuracy,
          perDigit: perDigit(judged.perWord),
          variety: perDigit(variety!),
          drawings: judged.ids.length,
          judge: flags.judge,
          seed: flags.seed,
          temperature: flags.temperature ?? 1,
        }),
      }),
    );
    return;
  }
  print(`held-out loss ${loss.toFixed(2)} nats per image (the 2000 held-out digits of ${MNIST})`);
  if (!judged) {
    print("(--judge DIR, a trained MNIST CNN, also scores the drawings)");
    return;
  }
  print(
    `${flags.judge} classifies ${(100 * judged.accuracy).toFixed(1)}% of ${judged.ids.length} drawings (${PER_DIGIT} per digit, seed ${flags.seed}, temperature ${flags.temperature ?? 1}) as the digit asked for:`,
  );
  print(`  ${words.map((w, i) => `${w} ${(100 * judged.perWord[i]!).toFixed(0)}%`).join(", ")}`);
  print("variety (mean distance between two drawings of a digit over that between two real ones):");
  print(`  ${words.map((w, i) => `${w} ${variety![i]!.toFixed(2)}`).join(", ")}`);
}
