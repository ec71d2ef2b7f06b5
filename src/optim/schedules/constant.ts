import { checkIteration, checkRate, type LrSchedule } from "./lr-schedule.js";

/** The same rate at every iteration (a building block for `sequence`). */
export function constantLr(lr: number): LrSchedule {
  checkRate(lr, "lr", "constantLr");
  return (iteration) => {
    checkIteration(iteration, "constantLr");
    return lr;
  };
}
