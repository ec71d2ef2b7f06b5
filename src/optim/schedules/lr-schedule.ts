/**
 * A learning-rate schedule: the learning rate to use at an iteration, counted from 0 as
 * nanoGPT's `iter_num` is (iteration i is the (i+1)-th optimizer step). Schedules are plain
 * functions so they compose; the optimizer evaluates one on the host each step and feeds
 * the result to the compiled step as a scalar input, so a changing rate never changes the
 * program.
 */
export type LrSchedule = (iteration: number) => number;

/** A fixed learning rate or a schedule. */
export type LearningRate = number | LrSchedule;

/** The learning rate at an iteration, checked: schedules must give finite, non-negative rates. */
export function learningRateAt(lr: LearningRate, iteration: number): number {
  const value = typeof lr === "function" ? lr(iteration) : lr;
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`learning rate at iteration ${iteration} is ${value}; it must be finite and ≥ 0`);
  }
  return value;
}

export function checkIteration(iteration: number, who: string): void {
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new Error(`${who}: the iteration must be an integer ≥ 0, got ${iteration}`);
  }
}

export function checkRate(value: number, name: string, who: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${who}: ${name} must be finite and ≥ 0, got ${value}`);
  }
}

export function checkCount(value: number, name: string, who: string, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${who}: ${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}
