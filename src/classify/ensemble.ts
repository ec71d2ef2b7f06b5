// Ensembles of text classifiers:
// - hard voting: each member votes for its most probable class; the share of votes is the
//   "probability" (ties go to the class with the higher mean probability);
// - soft voting: the mean of the members' probabilities;
// - weighted averaging: a weighted mean, each member weighted by 1 / its out-of-fold log loss;
// - stacking: a logistic regression (the meta-model) on the members' out-of-fold
//   log-probabilities, so it learns how far to trust each member on data they did not see;
// - cascade: the first member answers when its top probability reaches a threshold, else the
//   next one is asked, and so on; it reports the time per example it took.
import { stratifiedKFold } from "../metrics/cross-validation.js";
import { logLoss } from "../metrics/probabilistic.js";
import type { SparseRows } from "../text/tfidf.js";
import { type LinearWeights, linearScores, probabilitiesFromScores } from "./linear-model.js";
import { fitLogisticRegression } from "./logistic-regression.js";
import { sparseTensors } from "./sparse-tensors.js";
import type { TextClassifier } from "./text-classifier.js";

export const ENSEMBLE_METHODS = ["hard", "soft", "weighted", "stacking", "cascade"] as const;
export type EnsembleMethod = (typeof ENSEMBLE_METHODS)[number];

/** Trains one member of a kind on texts; the ensemble calls it on each fold and on all data. */
export type MemberTrainer = (
  kind: string,
  texts: readonly string[],
  labels: readonly number[],
) => TextClassifier;

export interface EnsembleOptions {
  /** Folds for the out-of-fold predictions of weighted averaging and stacking (default 5). */
  folds?: number;
  seed?: number;
  /** Cascade: answer when the top probability is at least this (default 0.95). */
  threshold?: number;
}

/** A dense matrix as sparse rows (every entry stored), for the meta-model. */
function denseRows(matrix: readonly (readonly number[])[]): SparseRows {
  const columns = matrix[0]?.length ?? 0;
  const indptr = Int32Array.from({ length: matrix.length + 1 }, (_, r) => r * columns);
  const indices = Int32Array.from({ length: matrix.length * columns }, (_, i) => i % columns);
  return { rows: matrix.length, columns, indptr, indices, values: Float32Array.from(matrix.flat()) };
}

/** The meta-model's input: each member's log-probabilities side by side. */
function stackedFeatures(memberProbabilities: readonly number[][][]): number[][] {
  const n = memberProbabilities[0]!.length;
  return Array.from({ length: n }, (_, i) =>
    memberProbabilities.flatMap((probs) => probs[i]!.map((p) => Math.log(Math.max(p, 1e-7)))),
  );
}

export interface CascadeStats {
  /** Share of examples each member answered. */
  answered: number[];
  /** Mean wall time per example of the last prediction, in milliseconds. */
  msPerExample: number;
}

export class EnsembleClassifier implements TextClassifier {
  readonly kind: string;
  /** Filled by each cascade prediction. */
  lastCascade?: CascadeStats;

  constructor(
    readonly method: EnsembleMethod,
    readonly members: readonly TextClassifier[],
    readonly classes: readonly string[],
    /** Weighted averaging: one weight per member, summing to 1. */
    readonly weights?: readonly number[],
    /** Stacking: the meta-model over members' log-probabilities. */
    readonly meta?: LinearWeights,
    readonly threshold = 0.95,
  ) {
    this.kind = `${method}(${members.map((m) => m.kind).join(",")})`;
  }

  predictProba(texts: readonly string[]): number[][] {
    if (this.method === "cascade") return this.cascade(texts);
    const probs = this.members.map((m) => m.predictProba(texts));
    return combine(this.method, probs, this.weights, this.meta);
  }

  private cascade(texts: readonly string[]): number[][] {
    const start = performance.now();
    const out: number[][] = new Array(texts.length);
    let pending = [...texts.keys()];
    const answered: number[] = [];
    this.members.forEach((member, m) => {
      const last = m === this.members.length - 1;
      const probs = member.predictProba(pending.map((i) => texts[i]!));
      const next: number[] = [];
      pending.forEach((i, j) => {
        if (last || Math.max(...probs[j]!) >= this.threshold) out[i] = probs[j]!;
        else next.push(i);
      });
      answered.push((pending.length - next.length) / Math.max(1, texts.length));
      pending = next;
    });
    this.lastCascade = { answered, msPerExample: (performance.now() - start) / Math.max(1, texts.length) };
    return out;
  }

  save(): Record<string, unknown> {
    throw new Error("ensembles are evaluated when trained; save their members as separate checkpoints");
  }
}

/** Combines members' probabilities [member][example][class] by a (non-cascade) method. */
export function combine(
  method: EnsembleMethod,
  probs: readonly number[][][],
  weights?: readonly number[],
  meta?: LinearWeights,
): number[][] {
  const n = probs[0]!.length;
  const k = probs[0]![0]?.length ?? 0;
  if (method === "stacking") {
    if (!meta) throw new Error("stacking needs a trained meta-model");
    return probabilitiesFromScores(
      linearScores(sparseTensors(denseRows(stackedFeatures(probs as number[][][]))), meta),
    );
  }
  return Array.from({ length: n }, (_, i) => {
    const row = new Array<number>(k).fill(0);
    if (method === "hard") {
      const mean = new Array<number>(k).fill(0);
      for (const p of probs) {
        let best = 0;
        for (let c = 1; c < k; c++) if (p[i]![c]! > p[i]![best]!) best = c;
        row[best]! += 1 / probs.length;
        for (let c = 0; c < k; c++) mean[c]! += p[i]![c]! / probs.length;
      }
      // Break ties towards the higher mean probability, by a margin too small to change a vote.
      for (let c = 0; c < k; c++) row[c]! = row[c]! * (1 - 1e-6) + mean[c]! * 1e-6;
      return row;
    }
    probs.forEach((p, m) => {
      const w = method === "weighted" ? weights![m]! : 1 / probs.length;
      for (let c = 0; c < k; c++) row[c]! += w * p[i]![c]!;
    });
    return row;
  });
}

/**
 * Out-of-fold probabilities [member][text][class]: each training text predicted by members
 * trained on the folds that leave it out.
 */
export function outOfFoldProbabilities(
  kinds: readonly string[],
  texts: readonly string[],
  labels: readonly number[],
  trainMember: MemberTrainer,
  options: EnsembleOptions = {},
): number[][][] {
  const oof = kinds.map(() => new Array<number[]>(texts.length));
  for (const fold of stratifiedKFold(labels, options.folds ?? 5, { seed: options.seed ?? 0 })) {
    const foldTexts = fold.train.map((i) => texts[i]!);
    const foldLabels = fold.train.map((i) => labels[i]!);
    const heldOut = fold.test.map((i) => texts[i]!);
    kinds.forEach((kind, m) => {
      const probs = trainMember(kind, foldTexts, foldLabels).predictProba(heldOut);
      fold.test.forEach((i, j) => {
        oof[m]![i] = probs[j]!;
      });
    });
  }
  return oof;
}

/** An ensemble of trained members; weighted averaging and stacking learn from out-of-fold probabilities. */
export function combineMembers(
  method: EnsembleMethod,
  members: readonly TextClassifier[],
  labels: readonly number[],
  outOfFold: readonly number[][][] | undefined,
  options: EnsembleOptions = {},
): EnsembleClassifier {
  const classes = members[0]!.classes;
  let weights: number[] | undefined;
  let meta: LinearWeights | undefined;
  if (method === "weighted" || method === "stacking") {
    if (!outOfFold) throw new Error(`${method}: needs out-of-fold predictions`);
    if (method === "weighted") {
      const inverse = outOfFold.map((p) => 1 / Math.max(logLoss(labels, p), 1e-6));
      const total = inverse.reduce((a, b) => a + b, 0);
      weights = inverse.map((w) => w / total);
    } else {
      const x = sparseTensors(denseRows(stackedFeatures(outOfFold as number[][][])));
      meta = fitLogisticRegression(x, labels, classes.length, { C: 1 }).weights;
    }
  }
  return new EnsembleClassifier(method, members, classes, weights, meta, options.threshold);
}

/** Trains the members (and, for weighted averaging and stacking, what combines them). */
export function trainEnsemble(
  method: EnsembleMethod,
  kinds: readonly string[],
  texts: readonly string[],
  labels: readonly number[],
  _classes: readonly string[],
  trainMember: MemberTrainer,
  options: EnsembleOptions = {},
): EnsembleClassifier {
  if (kinds.length < 2)
    throw new Error(`an ensemble needs at least two models, got ${kinds.join(",") || "none"}`);
  const outOfFold =
    method === "weighted" || method === "stacking"
      ? outOfFoldProbabilities(kinds, texts, labels, trainMember, options)
      : undefined;
  const members = kinds.map((kind) => trainMember(kind, texts, labels));
  return combineMembers(method, members, labels, outOfFold, options);
}
