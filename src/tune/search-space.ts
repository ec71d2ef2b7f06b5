// What a sweep may vary: each setting gets a set of values to choose from, a range to draw
// from uniformly (on a linear or a log scale), or a range of integers. A random search draws
// each trial's values from a generator seeded by the sweep's seed and the trial's number, so
// trial 7 is the same trial whenever (and wherever) it is drawn again; a grid search walks
// the cross product of each setting's grid points.
import { SeededRng } from "../random/seeded-rng.js";
import { ConfigError, describe, isPlainObject } from "./config-error.js";

export type ParamValue = number | string | boolean;

export type ParamSpec =
  | { type: "choice"; values: ParamValue[] }
  | { type: "uniform" | "log-uniform"; low: number; high: number; grid?: number }
  | { type: "integer"; low: number; high: number; log?: boolean; grid?: number };

/** Setting name → how it varies, in the order the config gave them. */
export type SearchSpace = Record<string, ParamSpec>;

/** One trial's values: setting name → value. */
export type Params = Record<string, ParamValue>;

const TYPES = ["choice", "uniform", "log-uniform", "integer"] as const;
/** A grid over an integer range without `grid` lists every integer, up to this many. */
const MAX_INTEGER_GRID = 64;

function finiteNumber(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ConfigError(path, `must be a finite number, got ${describe(value)}`);
  }
  return value;
}

function allowOnly(spec: Record<string, unknown>, keys: readonly string[], path: string): void {
  for (const key of Object.keys(spec)) {
    if (!keys.includes(key)) {
      throw new ConfigError(
        `${path}.${key}`,
        `is not a field of a ${spec.type} range (fields: ${keys.join(", ")})`,
      );
    }
  }
}

/** Checks one setting's spec; errors name its path in the config (`space.lr.low`). */
export function parseParamSpec(value: unknown, path: string): ParamSpec {
  if (Array.isArray(value)) return parseParamSpec({ type: "choice", values: value }, path);
  if (!isPlainObject(value)) {
    throw new ConfigError(
      path,
      `must be a list of values or an object with a "type", got ${describe(value)}`,
    );
  }
  const type = value.type;
  if (!TYPES.includes(type as (typeof TYPES)[number])) {
    throw new ConfigError(`${path}.type`, `must be one of ${TYPES.join(", ")}, got ${describe(type)}`);
  }
  if (type === "choice") {
    allowOnly(value, ["type", "values"], path);
    const values = value.values;
    if (!Array.isArray(values) || values.length === 0) {
      throw new ConfigError(`${path}.values`, "must be a non-empty list");
    }
    values.forEach((v, i) => {
      if (
        !["number", "string", "boolean"].includes(typeof v) ||
        (typeof v === "number" && !Number.isFinite(v))
      ) {
        throw new ConfigError(
          `${path}.values[${i}]`,
          `must be a finite number, a string or a boolean, got ${describe(v)}`,
        );
      }
    });
    return { type, values: values as ParamValue[] };
  }
  allowOnly(
    value,
    type === "integer" ? ["type", "low", "high", "log", "grid"] : ["type", "low", "high", "grid"],
    path,
  );
  const low = finiteNumber(value.low, `${path}.low`);
  const high = finiteNumber(value.high, `${path}.high`);
  if (!(low < high)) throw new ConfigError(path, `low (${low}) must be less than high (${high})`);
  if ((type === "log-uniform" || value.log === true) && !(low > 0)) {
    throw new ConfigError(`${path}.low`, `must be > 0 on a log scale, got ${low}`);
  }
  let grid: number | undefined;
  if (value.grid !== undefined) {
    grid = finiteNumber(value.grid, `${path}.grid`);
    if (!Number.isInteger(grid) || grid < 2)
      throw new ConfigError(`${path}.grid`, `must be an integer >= 2, got ${grid}`);
  }
  if (type === "integer") {
    if (!Number.isInteger(low) || !Number.isInteger(high)) {
      throw new ConfigError(path, `an integer range needs integer bounds, got ${low} and ${high}`);
    }
    if (value.log !== undefined && typeof value.log !== "boolean") {
      throw new ConfigError(`${path}.log`, `must be true or false, got ${describe(value.log)}`);
    }
    return { type, low, high, ...(value.log === true ? { log: true } : {}), ...(grid ? { grid } : {}) };
  }
  return { type: type as "uniform" | "log-uniform", low, high, ...(grid ? { grid } : {}) };
}

/** Checks a whole space (`space` in the config). */
export function parseSearchSpace(value: unknown, path = "space"): SearchSpace {
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    throw new ConfigError(path, "must be an object naming at least one setting to vary");
  }
  const space: SearchSpace = {};
  for (const [name, spec] of Object.entries(value)) space[name] = parseParamSpec(spec, `${path}.${name}`);
  return space;
}

/** Draws a value of `spec` from `rng`. */
export function sampleParam(spec: ParamSpec, rng: SeededRng): ParamValue {
  switch (spec.type) {
    case "choice":
      return spec.values[rng.nextInt(spec.values.length)]!;
    case "uniform":
      return spec.low + rng.nextFloat() * (spec.high - spec.low);
    case "log-uniform":
      return Math.exp(Math.log(spec.low) + rng.nextFloat() * (Math.log(spec.high) - Math.log(spec.low)));
    case "integer": {
      if (!spec.log) return spec.low + rng.nextInt(spec.high - spec.low + 1);
      // Uniform in log space over [low, high + 1), floored: each integer gets its log-width.
      const x = Math.exp(
        Math.log(spec.low) + rng.nextFloat() * (Math.log(spec.high + 1) - Math.log(spec.low)),
      );
      return Math.min(spec.high, Math.floor(x));
    }
  }
}

/** Trial `trial`'s values: the same for the same (seed, trial), whatever was drawn before. */
export function sampleParams(space: SearchSpace, seed: number, trial: number): Params {
  const rng = new SeededRng(seed * 1_000_003 + trial);
  const params: Params = {};
  for (const [name, spec] of Object.entries(space)) params[name] = sampleParam(spec, rng);
  return params;
}

/** Rounds away the last bits of float noise, so grid points print as 0.001, not 0.0010000000000000002. */
function tidy(value: number): number {
  return Number(value.toPrecision(12));
}

/** The values a grid search takes for one setting. */
export function gridValues(spec: ParamSpec, path: string): ParamValue[] {
  if (spec.type === "choice") return spec.values;
  const log = spec.type === "log-uniform" || (spec.type === "integer" && spec.log === true);
  if (spec.grid === undefined) {
    if (spec.type === "integer" && !log && spec.high - spec.low + 1 <= MAX_INTEGER_GRID) {
      return Array.from({ length: spec.high - spec.low + 1 }, (_, i) => spec.low + i);
    }
    throw new ConfigError(
      path,
      `a grid search needs "grid": N, the number of points to take from this ${spec.type} range`,
    );
  }
  const n = spec.grid;
  const points = Array.from({ length: n }, (_, i) => {
    const t = i / (n - 1);
    return log
      ? Math.exp(Math.log(spec.low) + t * (Math.log(spec.high) - Math.log(spec.low)))
      : spec.low + t * (spec.high - spec.low);
  });
  if (spec.type !== "integer") return points.map(tidy);
  return [...new Set(points.map(Math.round))];
}

/** The number of points of the grid over `space`. */
export function gridSize(space: SearchSpace): number {
  return Object.entries(space).reduce((n, [name, spec]) => n * gridValues(spec, `space.${name}`).length, 1);
}

/** Grid point `index` (0-based), the last setting varying fastest, as nested loops would. */
export function gridPoint(space: SearchSpace, index: number): Params {
  const entries = Object.entries(space).map(
    ([name, spec]) => [name, gridValues(spec, `space.${name}`)] as const,
  );
  const picked: ParamValue[] = [];
  let rest = index;
  for (let i = entries.length - 1; i >= 0; i--) {
    const values = entries[i]![1];
    picked[i] = values[rest % values.length]!;
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(entries.map(([name], i) => [name, picked[i]!]));
}
