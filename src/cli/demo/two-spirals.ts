import { concat, linspace, ones, randn, Tensor, zeros } from "../../index.js";

/**
 * Two interleaved spirals in the plane, one per class: the classic toy set that no
 * straight line separates, so a classifier has to learn a curved boundary. Built with the
 * engine's own tensor operations.
 */
export interface TwoSpirals {
  /** [2·perClass, 2] float32 coordinates: class 0's arm, then class 1's. */
  points: Tensor;
  /** [2·perClass] int32 class ids. */
  labels: Tensor;
}

export interface TwoSpiralsOptions {
  perClass: number;
  /** How many times each arm winds around the centre. */
  turns: number;
  /** Standard deviation of the Gaussian jitter added to every coordinate. */
  noise: number;
  seed: number;
}

export function twoSpirals({ perClass, turns, noise, seed }: TwoSpiralsOptions): TwoSpirals {
  // Position along the arm; starting a little off the centre keeps the two arms apart there.
  const along = linspace(0.05, 1, perClass).reshape([perClass, 1]);
  const radius = along.mul(2);
  const arm = (classId: number, armSeed: number) => {
    const angle = along.mul(turns * 2 * Math.PI).add(classId * Math.PI);
    const clean = concat([radius.mul(angle.cos()), radius.mul(angle.sin())], 1);
    return clean.add(randn([perClass, 2], { seed: armSeed }).mul(noise));
  };
  const points = concat([arm(0, seed), arm(1, (seed + 1) % 2 ** 32)], 0);
  const labels = concat([zeros([perClass], { dtype: "int32" }), ones([perClass], { dtype: "int32" })]);
  // Computed once here; otherwise every training step would regenerate the data in its graph.
  Tensor.realize(points, labels);
  return { points, labels };
}
