import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * A preset with some settings changed, keeping the preset's shape where only part of it is
 * given: the warm-up stays the same share of the run and the decay ends with it, the floor
 * stays the same share of the peak learning rate, checkpoints follow the evaluation
 * interval (each rule only where the preset has the settings it keeps in proportion). A
 * data file is made absolute, so a checkpoint finds it again from wherever the run is
 * resumed; built-in corpus names stay. What the command line and a sweep's trials use.
 */
export function changedSettings<S extends object>(preset: S, changes: Partial<S>): S {
  const chosen = changes as Record<string, unknown>;
  const before = preset as Record<string, unknown>;
  const settings: Record<string, unknown> = { ...before, ...chosen };
  const has = (key: string) => chosen[key] !== undefined;
  const scales = (key: string) => key in before && !has(key);
  const number = (s: Record<string, unknown>, key: string) => s[key] as number;
  if (Array.isArray(settings.betas)) settings.betas = [...settings.betas];
  if (has("data") && typeof settings.data === "string" && existsSync(settings.data))
    settings.data = resolve(settings.data);
  if (has("iterations")) {
    if (scales("decayIterations")) settings.decayIterations = settings.iterations;
    if (scales("warmup"))
      settings.warmup = Math.round(
        (number(settings, "iterations") * number(before, "warmup")) / number(before, "iterations"),
      );
  }
  if (has("lr") && scales("minLr"))
    settings.minLr = (number(settings, "lr") * number(before, "minLr")) / number(before, "lr");
  if (has("evalInterval") && scales("checkpointEvery")) settings.checkpointEvery = settings.evalInterval;
  return settings as S;
}
