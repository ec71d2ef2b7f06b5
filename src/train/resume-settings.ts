// The settings of a resumed run: those saved in its checkpoint. A setting the user chose
// explicitly must agree with them, except the number of iterations, which may move the
// end of the run (the learning-rate schedule stays as it was).
import type { LoadedCheckpoint } from "./checkpoint.js";

export function resumedSettings<S extends { iterations: number }>(
  checkpoint: LoadedCheckpoint,
  requested: S,
  explicit: readonly (keyof S)[],
  check: (settings: S) => void,
): S {
  const saved = checkpoint.config.training as unknown as S;
  try {
    check(saved);
  } catch (error) {
    throw new Error(`${checkpoint.path}: bad training settings: ${(error as Error).message}`);
  }
  for (const key of explicit) {
    if (key === "iterations") continue;
    if (JSON.stringify(requested[key]) !== JSON.stringify(saved[key])) {
      throw new Error(
        `cannot resume with ${String(key)} ${JSON.stringify(requested[key])}: the run in ${checkpoint.path} uses ` +
          `${JSON.stringify(saved[key])}, and a resumed run keeps its settings (only the iterations can change)`,
      );
    }
  }
  const settings = {
    ...saved,
    iterations: explicit.includes("iterations") ? requested.iterations : saved.iterations,
  };
  check(settings);
  return settings;
}
