// `infiniset distill --teacher CLASSIFIER_DIR --student cnn|transformer`: a neural student
// of a trained classifier, evaluated on the same held-out texts as its teacher.
import type { ClassifierConfig } from "../../classify/classifier-checkpoint.js";
import { formatEvaluation } from "../../classify/evaluate-classifier.js";
import { distillClassifier } from "../../compress/distill-classifier.js";

export interface ClassifierStudentFlags {
  teacher: string;
  student?: string;
  temperature: number;
  alpha: number;
  epochs?: number;
  maxTokens?: number;
  seed?: number;
  out: string;
  json?: boolean;
}

/** Flags of a GPT student that a classifier student has no use for. */
const GPT_ONLY = [
  "data",
  "iters",
  "batchSize",
  "blockSize",
  "layers",
  "heads",
  "embd",
  "dropout",
  "lr",
  "warmup",
  "evalInterval",
  "evalBatches",
  "checkpointEvery",
  "resume",
];

export function distillClassifierFromFlags(
  flags: ClassifierStudentFlags & Record<string, unknown>,
  teacher: ClassifierConfig,
  print: (line: string) => void,
): void {
  const misplaced = GPT_ONLY.filter((key) => flags[key] !== undefined);
  if (misplaced.length > 0) {
    throw new Error(
      `the teacher is a ${teacher.kind} classifier; ${misplaced.join(", ")} are for GPT students`,
    );
  }
  const student = (flags.student ?? "cnn") as "cnn" | "transformer";
  if (!flags.json) print(`distilling the ${teacher.kind} classifier ${flags.teacher} into a ${student}`);
  const result = distillClassifier({
    teacher: flags.teacher,
    student,
    temperature: flags.temperature,
    alpha: flags.alpha,
    out: flags.out,
    ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
    ...(flags.maxTokens === undefined ? {} : { maxTokens: flags.maxTokens }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.json ? { log: () => {} } : {}),
  });
  const { evaluation: e, teacherEvaluation: t } = result;
  if (flags.json) {
    print(
      JSON.stringify({
        student,
        f1: e.f1,
        accuracy: e.accuracy,
        auc: e.auc,
        logLoss: e.logLoss,
        teacher: { kind: teacher.kind, f1: t.f1, accuracy: t.accuracy, auc: t.auc, logLoss: t.logLoss },
        trainSeconds: result.trainSeconds,
        out: flags.out,
      }),
    );
    return;
  }
  print(
    `trained in ${result.trainSeconds.toFixed(1)} s; held-out evaluation of the student (${e.examples} texts):`,
  );
  for (const line of formatEvaluation(e)) print(line);
  print(
    `the teacher on the same texts: F1 ${t.f1.toFixed(4)}, accuracy ${t.accuracy.toFixed(4)}, log loss ${t.logLoss.toFixed(4)}`,
  );
  print(`student written to ${flags.out}`);
}
