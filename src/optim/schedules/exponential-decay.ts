import { checkIteration, checkRate, type LrSchedule } from "./lr-schedule.js";

export interface ExponentialDecayOptions {
  /** The rate at iteration 0. */
  lr: number;
  /** Factor applied every iteration. */
  gamma: number;
}

/** `lr · gamma^it`, PyTorch's ExponentialLR with one scheduler step per optimizer step. */
export function exponentialDecay({ lr, gamma }: ExponentialDecayOptions): LrSchedule {
  checkRate(lr, "lr", "exponentialDecay");
  checkRate(gamma, "gamma", "exponentialDecay");
  return (it) => {
    checkIteration(it, "exponentialDecay");
    return lr * gamma ** it;
  };
}
