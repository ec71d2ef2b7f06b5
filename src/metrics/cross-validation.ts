// K-fold splits and cross-validation. Without shuffling the folds are scikit-learn's
// KFold and StratifiedKFold exactly; with a seed, examples (or, stratified, each class's
// fold assignments) are shuffled by the project's seeded RNG.
import { SeededRng } from "../random/seeded-rng.js";
import type { Labels } from "./labels.js";

export interface Fold {
  train: number[];
  test: number[];
}

export interface FoldOptions {
  /** Shuffle with this seed; without one the order is kept. */
  seed?: number;
}

function shuffleInPlace<T>(items: T[], rng: SeededRng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function checkK(k: number, n: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold: k must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new Error(`k-fold: cannot split ${n} ${what} into ${k} folds`);
}

function foldsFromAssignment(assignment: readonly number[], k: number): Fold[] {
  const folds: Fold[] = Array.from({ length: k }, () => ({ train: [], test: [] }));
  assignment.forEach((fold, i) => {
    for (let f = 0; f < k; f++) (f === fold ? folds[f]!.test : folds[f]!.train).push(i);
  });
  return folds;
}

/** K folds of consecutive examples (the first n mod k folds one larger), optionally shuffled first. */
export function kFold(n: number, k: number, options: FoldOptions = {}): Fold[] {
  checkK(k, n, "examples");
  const order = [...Array(n).keys()];
  if (options.seed !== undefined) shuffleInPlace(order, new SeededRng(options.seed));
  const assignment = new Array<number>(n);
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let i = start; i < start + size; i++) assignment[order[i]!] = f;
    start += size;
  }
  return foldsFromAssignment(assignment, k);
}

/**
 * K folds that keep each class's share in every fold. As scikit-learn: classes are
 * numbered by first appearance, the sorted labels are dealt to folds round-robin to size
 * each fold's share of each class, and each class's examples take their folds in order.
 */
export function stratifiedKFold(labels: Labels, k: number, options: FoldOptions = {}): Fold[] {
  checkK(k, labels.length, "examples");
  const firstSeen = new Map<number, number>();
  for (let i = 0; i < labels.length; i++)
    if (!firstSeen.has(labels[i]!)) firstSeen.set(labels[i]!, firstSeen.size);
  const encoded = Array.from(labels, (label) => firstSeen.get(label)!);
  const classes = firstSeen.size;
  const counts = new Array<number>(classes).fill(0);
  for (const c of encoded) counts[c]!++;
  const largest = Math.max(...counts);
  if (largest < k)
    throw new Error(`k-fold: no class has ${k} examples, so ${k} stratified folds cannot be made`);
  // allocation[f][c]: how many of class c fold f gets (dealing the sorted labels round-robin).
  const sorted = [...encoded].sort((a, b) => a - b);
  const allocation = Array.from({ length: k }, () => new Array<number>(classes).fill(0));
  sorted.forEach((c, i) => {
    allocation[i % k]![c]!++;
  });
  const rng = options.seed === undefined ? undefined : new SeededRng(options.seed);
  const assignment = new Array<number>(labels.length);
  for (let c = 0; c < classes; c++) {
    const foldsForClass: number[] = [];
    for (let f = 0; f < k; f++) for (let j = 0; j < allocation[f]![c]!; j++) foldsForClass.push(f);
    if (rng) shuffleInPlace(foldsForClass, rng);
    let next = 0;
    encoded.forEach((e, i) => {
      if (e === c) assignment[i] = foldsForClass[next++]!;
    });
  }
  return foldsFromAssignment(assignment, k);
}

export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 for one value. */
  std: number;
  values: number[];
}

/** Mean and sample standard deviation of values. */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new Error("meanStd: no values");
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0, values: [...values] };
}

/**
 * Runs `evaluate` on every fold and summarises each metric it returns as mean ± sd across
 * folds. Every fold must return the same metric names.
 */
export function crossValidate<M extends Record<string, number>>(
  folds: readonly Fold[],
  evaluate: (fold: Fold, index: number) => M,
): { folds: M[]; summary: Record<keyof M, MeanStd> } {
  const results = folds.map((fold, i) => evaluate(fold, i));
  const names = Object.keys(results[0]!) as (keyof M)[];
  const summary = {} as Record<keyof M, MeanStd>;
  for (const name of names) {
    summary[name] = meanStd(
      results.map((r, i) => {
        if (typeof r[name] !== "number") throw new Error(`crossValidate: fold ${i} has no "${String(name)}"`);
        return r[name];
      }),
    );
  }
  return { folds: results, summary };
}

/** "0.9812 ± 0.0031" */
export function formatMeanStd({ mean, std }: MeanStd, digits = 4): string {
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}
