// A sweep, as a JSON file (`infiniset tune --config sweep.json`) or an object (`tune()`):
// what to train, what to vary, how to search, what to optimise and how much to spend.
// Everything is checked before the first trial starts, and every mistake is reported with
// where it is in the file.
//
// {
//   "name": "lr-width",
//   "model": "gpt", "preset": "baby",
//   "settings": { "iterations": 600, "evalInterval": 50, "nLayer": 2 },
//   "space": { "lr": { "type": "log-uniform", "low": 1e-4, "high": 1e-2 }, "nEmbd": [32, 64, 128] },
//   "strategy": { "type": "asha", "eta": 3, "minIterations": 50 },
//   "objective": "valLoss",
//   "budget": { "trials": 27, "seconds": 3600 },
//   "seed": 0, "threadsPerTrial": 1
// }
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { RUN_KINDS, runKind, runSettings, type Settings, settingNames } from "../jobs/training-runs.js";
import { ConfigError, describe, isPlainObject } from "./config-error.js";
import { type Objective, parseObjective } from "./objective.js";
import {
  gridPoint,
  gridSize,
  type Params,
  parseSearchSpace,
  type SearchSpace,
  sampleParams,
} from "./search-space.js";

export const STRATEGIES = ["grid", "random", "successive-halving", "asha"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface StrategyConfig {
  type: StrategyName;
  /** Halving: keep the best 1/eta at each rung. */
  eta: number;
  /** Halving: the iterations of the first rung. */
  minIterations: number;
  /** Halving: how candidate trials are drawn. */
  sample: "random" | "grid";
}

export interface SweepConfig {
  name: string;
  model: string;
  preset: string;
  /** Settings every trial shares (over the preset's). */
  settings: Settings;
  space: SearchSpace;
  strategy: StrategyConfig;
  objective: Objective;
  budget: { trials?: number; seconds?: number };
  seed: number;
  /** Compute threads each trial uses (INFINISET_THREADS in its process). */
  threadsPerTrial: number;
  /**
   * K-fold cross-validation when more than 1: each trial trains K runs, each validating on
   * another K-th of the corpus, and its objective is their mean. Default 1 (the run's own split).
   */
  folds: number;
}

const FIELDS = [
  "name",
  "model",
  "preset",
  "settings",
  "space",
  "strategy",
  "objective",
  "budget",
  "seed",
  "threadsPerTrial",
  "folds",
];

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(path, `must be an integer >= 1, got ${describe(value)}`);
  }
  return value;
}

function parseStrategy(value: unknown, iterations: number): StrategyConfig {
  const object = typeof value === "string" ? { type: value } : value;
  if (!isPlainObject(object))
    throw new ConfigError("strategy", `must be a name or an object, got ${describe(value)}`);
  const type = object.type;
  if (!STRATEGIES.includes(type as StrategyName)) {
    throw new ConfigError("strategy.type", `must be one of ${STRATEGIES.join(", ")}, got ${describe(type)}`);
  }
  const halving = type === "asha" || type === "successive-halving";
  for (const key of Object.keys(object)) {
    if (key !== "type" && !(halving && ["eta", "minIterations", "sample"].includes(key))) {
      throw new ConfigError(
        `strategy.${key}`,
        `is not a field of the ${type} strategy${halving ? " (fields: type, eta, minIterations, sample)" : ""}`,
      );
    }
  }
  const eta = object.eta === undefined ? 3 : positiveInteger(object.eta, "strategy.eta");
  if (eta < 2) throw new ConfigError("strategy.eta", `must be at least 2, got ${eta}`);
  const minIterations =
    object.minIterations === undefined
      ? Math.max(1, Math.round(iterations / eta ** 3))
      : positiveInteger(object.minIterations, "strategy.minIterations");
  if (minIterations > iterations) {
    throw new ConfigError(
      "strategy.minIterations",
      `(${minIterations}) must not exceed the run's iterations (${iterations})`,
    );
  }
  const sample = object.sample ?? "random";
  if (sample !== "random" && sample !== "grid")
    throw new ConfigError("strategy.sample", `must be "random" or "grid", got ${describe(sample)}`);
  return { type: type as StrategyName, eta, minIterations, sample };
}

function parseBudget(value: unknown): SweepConfig["budget"] {
  if (value === undefined) return {};
  if (!isPlainObject(value))
    throw new ConfigError("budget", `must be an object { "trials", "seconds" }, got ${describe(value)}`);
  const budget: SweepConfig["budget"] = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "trials") budget.trials = positiveInteger(v, "budget.trials");
    else if (key === "seconds") {
      if (typeof v !== "number" || !(v > 0))
        throw new ConfigError("budget.seconds", `must be a number > 0, got ${describe(v)}`);
      budget.seconds = v;
    } else throw new ConfigError(`budget.${key}`, "is not a field (fields: trials, seconds)");
  }
  return budget;
}

/** Checks a sweep config given as a plain object; `source` names it in errors. */
export function parseSweepConfig(value: unknown, source = "sweep"): SweepConfig {
  if (!isPlainObject(value)) throw new ConfigError(source, `must be a JSON object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!FIELDS.includes(key))
      throw new ConfigError(key, `is not a field of a sweep (fields: ${FIELDS.join(", ")})`);
  }
  const model = value.model ?? "gpt";
  if (typeof model !== "string" || !(model in RUN_KINDS)) {
    throw new ConfigError(
      "model",
      `must be one of ${Object.keys(RUN_KINDS).join(", ")}, got ${describe(model)}`,
    );
  }
  const preset = value.preset ?? "baby";
  if (typeof preset !== "string")
    throw new ConfigError("preset", `must be a preset name, got ${describe(preset)}`);
  let names: string[];
  try {
    names = settingNames(model, preset);
  } catch (error) {
    throw new ConfigError("preset", (error as Error).message);
  }
  const settings = value.settings ?? {};
  if (!isPlainObject(settings))
    throw new ConfigError("settings", `must be an object of settings, got ${describe(settings)}`);
  const space = parseSearchSpace(value.space);
  for (const [path, keys] of [
    ["settings", Object.keys(settings)],
    ["space", Object.keys(space)],
  ] as const) {
    for (const key of keys) {
      if (!names.includes(key))
        throw new ConfigError(
          `${path}.${key}`,
          `is not a setting of a ${model} run (settings: ${names.join(", ")})`,
        );
    }
  }
  const iterations = runSettings(model, preset, settings, {}).iterations as number;
  const strategy = parseStrategy(value.strategy ?? "random", iterations);
  if (strategy.type === "asha" || strategy.type === "successive-halving") {
    for (const key of ["iterations", "decayIterations"]) {
      if (key in space)
        throw new ConfigError(
          `space.${key}`,
          `cannot vary under ${strategy.type}: its rungs decide how long each trial trains`,
        );
    }
  }
  const budget = parseBudget(value.budget);
  const seed = value.seed ?? 0;
  if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0)
    throw new ConfigError("seed", `must be an integer >= 0, got ${describe(seed)}`);
  const threadsPerTrial =
    value.threadsPerTrial === undefined ? 1 : positiveInteger(value.threadsPerTrial, "threadsPerTrial");
  const folds = value.folds === undefined ? 1 : positiveInteger(value.folds, "folds");
  const name = value.name ?? source;
  if (typeof name !== "string" || !/^[\w.-]+$/.test(name)) {
    throw new ConfigError("name", `must be letters, digits, "-", "_" or ".", got ${describe(name)}`);
  }
  const config: SweepConfig = {
    name,
    model,
    preset,
    settings,
    space,
    strategy,
    objective: parseObjective(value.objective),
    budget,
    seed,
    threadsPerTrial,
    folds,
  };
  checkTrials(config);
  return config;
}

/** Reads and checks a sweep config file; errors start with the file's path. */
export function readSweepConfig(path: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `cannot read the sweep config ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseSweepConfig(value, basename(path, extname(path)));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Whether candidates come from the grid (grid search, or halving over a grid). */
export function samplesGrid(config: SweepConfig): boolean {
  return config.strategy.type === "grid" || config.strategy.sample === "grid";
}

/** How many trials the sweep may start: the grid's size or the trial budget, whichever is smaller. */
export function trialLimit(config: SweepConfig): number {
  const grid = samplesGrid(config) ? gridSize(config.space) : Number.POSITIVE_INFINITY;
  return Math.min(grid, config.budget.trials ?? Number.POSITIVE_INFINITY);
}

/** Trial `trial`'s values (0-based): a grid point, or a draw seeded by the sweep's seed and the trial. */
export function trialParams(config: SweepConfig, trial: number): Params {
  return samplesGrid(config)
    ? gridPoint(config.space, trial)
    : sampleParams(config.space, config.seed, trial);
}

/** A trial's full settings (what its run directory's checkpoint will hold). */
export function trialSettings(config: SweepConfig, params: Params): Settings {
  return runSettings(config.model, config.preset, config.settings, params);
}

/** The iterations a trial trains for at most. */
export function maxIterations(config: SweepConfig): number {
  return trialSettings(config, {}).iterations as number;
}

/** Every grid point (or the first draws) must make a run the model accepts, checked now rather than in a worker. */
function checkTrials(config: SweepConfig): void {
  const limit = trialLimit(config);
  if (!Number.isFinite(limit) && config.budget.seconds === undefined) {
    throw new ConfigError(
      "budget",
      `a ${config.strategy.type} search over ranges needs budget.trials or budget.seconds`,
    );
  }
  if (config.strategy.type === "successive-halving" && !Number.isFinite(limit)) {
    throw new ConfigError("budget.trials", "successive halving needs the number of trials to start with");
  }
  const kind = runKind(config.model);
  const checked = Math.min(Number.isFinite(limit) ? limit : 16, 10_000);
  for (let trial = 0; trial < checked; trial++) {
    const params = trialParams(config, trial);
    try {
      kind.check(trialSettings(config, params));
    } catch (error) {
      const where = Object.keys(params).length > 0 ? ` (${JSON.stringify(params)})` : "";
      throw new ConfigError(
        samplesGrid(config) ? "space" : "settings",
        `make a run the model rejects for trial ${trial}${where}: ${(error as Error).message}`,
      );
    }
  }
}
