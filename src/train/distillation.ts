// Knowledge distillation (Hinton et al., 2015): a student learns from a trained teacher's
// whole next-token distribution, not only the token that came next. With temperature T
// both distributions are softened (softmax(logits / T)), so the teacher's view of which
// wrong tokens are nearly right comes through; the student's loss is
//   α · T² · KL(teacher_T ‖ student_T) + (1 − α) · cross-entropy(student, next token),
// the T² keeping the soft part's gradients the same size whatever T is. The teacher runs in
// eval mode in the same program as the student's step, and no gradient reaches it.
import { crossEntropy } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TrainableLanguageModel } from "./fit.js";

export interface DistillationSettings {
  /** The teacher's checkpoint: a run directory or a step folder, as an absolute path. */
  teacher: string;
  /** Softens both distributions (> 0; 1 leaves them as they are). */
  temperature: number;
  /** The weight of the soft-target loss, in [0, 1]; the true next token gets 1 − alpha. */
  alpha: number;
}

/**
 * `path.isAbsolute` for POSIX and Windows paths, without Node's `path`: these settings are
 * checked in browsers too (the playground's runs share them).
 */
const isAbsolute = (path: string) =>
  path.startsWith("/") || path.startsWith("\\\\") || /^[A-Za-z]:[\\/]/.test(path);

/** Throws on distillation settings no run can use, naming the setting. */
export function checkDistillationSettings(d: DistillationSettings): void {
  if (d === null || typeof d !== "object")
    throw new Error("distillation must be { teacher, temperature, alpha }");
  if (typeof d.teacher !== "string" || !isAbsolute(d.teacher))
    throw new Error(`distillation.teacher must be an absolute path, got ${JSON.stringify(d.teacher)}`);
  if (!(Number.isFinite(d.temperature) && d.temperature > 0))
    throw new Error(`distillation.temperature must be a number > 0, got ${d.temperature}`);
  if (!(d.alpha >= 0 && d.alpha <= 1))
    throw new Error(`distillation.alpha must be in [0, 1], got ${d.alpha}`);
}

/**
 * The distillation loss for logits [B, T, V] of student and teacher and targets [B, T]:
 * mean over positions (see the file's comment).
 */
export function distillationLoss(
  student: Tensor,
  teacher: Tensor,
  targets: Tensor,
  { temperature, alpha }: Pick<DistillationSettings, "temperature" | "alpha">,
): Tensor {
  const positions = student.size / student.shape.at(-1)!;
  const teacherLog = teacher.detach().div(temperature).logSoftmax(-1);
  const studentLog = student.div(temperature).logSoftmax(-1);
  const kl = teacherLog.exp().mul(teacherLog.sub(studentLog)).sum().div(positions);
  const soft = kl.mul(temperature * temperature);
  if (alpha === 1) return soft;
  const hard = crossEntropy(student, targets);
  return alpha === 0 ? hard : soft.mul(alpha).add(hard.mul(1 - alpha));
}

/**
 * What `fit` trains when a student distils: its loss is the distillation loss in training
 * mode, and its own cross-entropy in eval mode, so evaluations report what the student
 * predicts, comparable with a run that trained it alone.
 */
export function distillingTrainee(
  student: TrainableLanguageModel,
  logits: { student: (ids: Tensor) => Tensor; teacher: (ids: Tensor) => Tensor },
  settings: DistillationSettings,
): TrainableLanguageModel {
  return {
    loss: (ids, targets) =>
      student.training
        ? distillationLoss(logits.student(ids), logits.teacher(ids), targets, settings)
        : student.loss(ids, targets),
    stateDict: () => student.stateDict(),
    loadStateDict: (dict) => student.loadStateDict(dict),
    get training() {
      return student.training;
    },
    train: (mode) => student.train(mode),
  };
}
