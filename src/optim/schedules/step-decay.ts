import { checkCount, checkIteration, checkRate, type LrSchedule } from "./lr-schedule.js";

export interface StepDecayOptions {
  /** The rate for iterations 0 … stepSize−1. */
  lr: number;
  /** Iterations between decays. */
  stepSize: number;
  /** Factor applied at each decay. */
  gamma: number;
}

/** `lr · gamma^⌊it / stepSize⌋`, PyTorch's StepLR with one scheduler step per optimizer step. */
export function stepDecay({ lr, stepSize, gamma }: StepDecayOptions): LrSchedule {
  checkRate(lr, "lr", "stepDecay");
  checkCount(stepSize, "stepSize", "stepDecay", 1);
  checkRate(gamma, "gamma", "stepDecay");
  return (it) => {
    checkIteration(it, "stepDecay");
    return lr * gamma ** Math.floor(it / stepSize);
  };
}
