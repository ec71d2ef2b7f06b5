import { checkCount, checkIteration, type LrSchedule } from "./lr-schedule.js";

/**
 * Runs schedules one after another, as PyTorch's SequentialLR does: `schedules[k]`
 * takes over at iteration `milestones[k−1]` and sees iterations counted from there (its
 * own iteration 0). Needs one milestone fewer than schedules, strictly increasing.
 */
export function sequence(schedules: readonly LrSchedule[], milestones: readonly number[]): LrSchedule {
  if (schedules.length === 0) throw new Error("sequence: needs at least one schedule");
  if (milestones.length !== schedules.length - 1) {
    throw new Error(
      `sequence: ${schedules.length} schedules need ${schedules.length - 1} milestones, got ${milestones.length}`,
    );
  }
  milestones.forEach((m, k) => {
    checkCount(m, "a milestone", "sequence", 0);
    if (k > 0 && m <= milestones[k - 1]!) {
      throw new Error(`sequence: milestones must increase, got [${milestones.join(", ")}]`);
    }
  });
  return (it) => {
    checkIteration(it, "sequence");
    let phase = 0;
    while (phase < milestones.length && it >= milestones[phase]!) phase++;
    const start = phase === 0 ? 0 : milestones[phase - 1]!;
    return schedules[phase]!(it - start);
  };
}
