// Distilling a text classifier: a neural student (cnn, transformer) trained on the same
// training texts as a trained teacher (any classifier: TF-IDF models, a fine-tuned GPT, an
// ensemble), learning from the teacher's probabilities for each text as well as from the
// labels, and evaluated on the same held-out fifth as the teacher.
import { loadClassifier, readHeldOut, writeClassifierCheckpoint } from "../classify/classifier-checkpoint.js";
import { type ClassifierEvaluation, evaluateClassifier } from "../classify/evaluate-classifier.js";
import { type NeuralKind, trainNeuralClassifier } from "../classify/neural-classifier.js";
import { DEFAULT_SETTINGS, heldOutSplit, loadClassifierData } from "../classify/train-classifier.js";

export interface DistillClassifierOptions {
  /** The teacher's classifier directory. */
  teacher: string;
  student: Extract<NeuralKind, "cnn" | "transformer">;
  temperature: number;
  alpha: number;
  epochs?: number;
  maxTokens?: number;
  seed?: number;
  /** Where the student's checkpoint goes. */
  out: string;
  log?: (line: string) => void;
}

export interface DistilledClassifier {
  evaluation: ClassifierEvaluation;
  /** The teacher's held-out evaluation, from its checkpoint. */
  teacherEvaluation: ClassifierEvaluation;
  trainSeconds: number;
}

export function distillClassifier(options: DistillClassifierOptions): DistilledClassifier {
  const { classifier: teacher, config, path } = loadClassifier(options.teacher);
  const data = config.training.data;
  if (typeof data !== "string")
    throw new Error(`${path} does not say what it was trained on (training.data)`);
  const { data: texts, strata } = loadClassifierData(data);
  if (texts.classes.join("\n") !== config.classes.join("\n")) {
    throw new Error(
      `${path} knows classes ${config.classes.join(", ")}, but ${data} has ${texts.classes.join(", ")}`,
    );
  }
  // The split every classifier run holds out, so the student never sees the teacher's test texts.
  const split = heldOutSplit(texts, strata, 0);
  const trainTexts = split.train.map((i) => texts.texts[i]!);
  const trainLabels = split.train.map((i) => texts.labels[i]!);
  const probabilities = teacher.predictProba(trainTexts);
  const settings = {
    ...DEFAULT_SETTINGS,
    seed: options.seed ?? DEFAULT_SETTINGS.seed,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
  };
  const started = performance.now();
  const student = trainNeuralClassifier(
    options.student,
    trainTexts,
    trainLabels,
    texts.classes,
    settings,
    options.log,
    {
      probabilities,
      temperature: options.temperature,
      alpha: options.alpha,
    },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const testLabels = split.test.map((i) => texts.labels[i]!);
  const predicted = student.predictProba(split.test.map((i) => texts.texts[i]!));
  const distillation = { teacher: path, temperature: options.temperature, alpha: options.alpha };
  writeClassifierCheckpoint(
    options.out,
    student,
    { data, ...settings, distillation, trainSeconds },
    {
      classes: texts.classes,
      labels: testLabels,
      probabilities: predicted,
      ids: split.test.map((i) => texts.ids[i]!),
    },
  );
  const held = readHeldOut(path);
  return {
    evaluation: evaluateClassifier(testLabels, predicted, texts.classes),
    teacherEvaluation: evaluateClassifier(held.labels, held.probabilities, held.classes),
    trainSeconds,
  };
}
