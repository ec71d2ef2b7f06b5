// A checkpoint is a directory with everything needed to continue a run exactly or to use
// its model: the weights (safetensors), a JSON config (model, tokenizer, training options),
// the optimizer state and the RNG states. A run directory holds checkpoints as
// `step-NNNNNN/` folders and a `latest.json` that names the newest complete one.
//
// Every file is written atomically, and `latest.json` is rewritten only after all files of
// a new checkpoint are on disk, so a run killed at any moment leaves `latest.json` naming a
// complete checkpoint: the previous one if the new one was half written.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import type { SafetensorsTensor } from "../formats/safetensors.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../formats/safetensors-file.js";
import type { SeededRngState } from "../random/seeded-rng.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromSafetensorsTensor, toSafetensorsTensor } from "./tensor-safetensors.js";
import { packTensorTree, unpackTensorTree } from "./tensor-tree.js";
import type { TokenizerJson } from "./tokenizer.js";

export const CHECKPOINT_FORMAT = "infiniset-checkpoint";
export const CHECKPOINT_VERSION = 1;

const CONFIG_FILE = "config.json";
const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
const STATE_FILE = "state.json";
const LATEST_FILE = "latest.json";

/** What the model is and how it was trained: enough to rebuild it and its tokenizer. */
export interface CheckpointConfig {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  model: { type: string; config: Record<string, unknown> };
  tokenizer: TokenizerJson;
  /** The options of the run (data source, batch and block size, optimizer, schedule…). */
  training: Record<string, unknown>;
  /**
   * What was done to the trained model since, oldest first (quantized, pruned, distilled:
   * see src/compress), each with its options and where it started from. Absent for a model
   * as trained.
   */
  compression?: Record<string, unknown>[];
}

/** Where a run stands: with the weights and optimizer state, an exact point to resume from. */
export interface TrainingState {
  /** Optimizer steps completed. */
  iter: number;
  /** Wall time spent training so far, across resumes. */
  elapsedMs: number;
  /** Host RNGs: which batches are drawn, which batches evaluations draw, dropout seeds. */
  rng: Record<string, SeededRngState>;
  /** State of callbacks that have any (early stopping's best loss), by callback name. */
  callbacks: Record<string, unknown>;
}

export interface CheckpointContents {
  config: CheckpointConfig;
  /** Parameter values by dotted name. */
  weights: ReadonlyMap<string, Tensor>;
  /** The optimizer's `stateDict()`, any tree of plain values and tensors. */
  optimizer: unknown;
  state: TrainingState;
}

export interface LoadedCheckpoint extends CheckpointContents {
  /** The checkpoint's own directory (`…/step-NNNNNN`). */
  path: string;
}

/** The folder name of the checkpoint after `iter` steps; zero-padded so they sort by name. */
export function checkpointName(iter: number): string {
  return `step-${String(iter).padStart(6, "0")}`;
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a checkpoint under `runDir` and makes it the latest. Older checkpoints beyond the
 * newest `keep` are removed once the new one is complete. Returns the checkpoint's path.
 */
export function writeCheckpoint(runDir: string, contents: CheckpointContents, keep = 1): string {
  const name = checkpointName(contents.state.iter);
  const path = join(runDir, name);
  // A folder of this name that latest.json does not name is the torn remains of a killed
  // save (or of a run that went past where it was resumed from): start it afresh.
  if (existsSync(path) && latestName(runDir) !== name) rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });

  const weights = new Map<string, SafetensorsTensor>();
  for (const [key, value] of contents.weights) weights.set(key, toSafetensorsTensor(value));
  writeSafetensorsFile(join(path, MODEL_FILE), weights, { format: CHECKPOINT_FORMAT });
  const optimizer = packTensorTree(contents.optimizer);
  writeSafetensorsFile(join(path, OPTIMIZER_FILE), optimizer.tensors, { format: CHECKPOINT_FORMAT });
  writeJson(join(path, CONFIG_FILE), contents.config);
  writeJson(join(path, STATE_FILE), { ...contents.state, optimizer: optimizer.json });
  writeJson(join(runDir, LATEST_FILE), { format: CHECKPOINT_FORMAT, checkpoint: name });

  const older = readdirSync(runDir)
    .filter((entry) => /^step-\d+$/.test(entry) && entry !== name)
    .sort();
  for (const entry of older.slice(0, Math.max(0, older.length - (keep - 1)))) {
    rmSync(join(runDir, entry), { recursive: true, force: true });
  }
  return path;
}

function latestName(runDir: string): string | undefined {
  const file = join(runDir, LATEST_FILE);
  if (!existsSync(file)) return undefined;
  const pointer = readJson(file) as { checkpoint?: unknown };
  if (typeof pointer?.checkpoint !== "string" || !/^step-\d+$/.test(pointer.checkpoint)) {
    throw new Error(`${file} does not name a checkpoint folder`);
  }
  return pointer.checkpoint;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? `${path} is missing` : `Could not read ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON (the checkpoint is corrupt)`);
  }
}

/**
 * The checkpoint folder `dir` stands for: `dir` itself if it holds a config.json, else the
 * checkpoint its latest.json names. Undefined if it is neither (no checkpoint yet).
 */
export function findCheckpoint(dir: string): string | undefined {
  if (existsSync(join(dir, CONFIG_FILE))) return dir;
  const name = latestName(dir);
  return name === undefined ? undefined : join(dir, name);
}

function validateConfig(value: unknown, path: string): CheckpointConfig {
  const config = value as Partial<CheckpointConfig> | null;
  if (config === null || typeof config !== "object" || config.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path} is not an infiniset checkpoint config`);
  }
  if (config.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${path} has checkpoint version ${config.version}; this infiniset reads ${CHECKPOINT_VERSION}`,
    );
  }
  if (typeof config.model?.type !== "string" || typeof config.model.config !== "object") {
    throw new Error(`${path} has no model type and config`);
  }
  if (config.tokenizer === null || typeof config.tokenizer !== "object")
    throw new Error(`${path} has no tokenizer`);
  return config as CheckpointConfig;
}

function validateState(value: unknown, path: string): TrainingState & { optimizer: unknown } {
  const state = value as Partial<TrainingState> | null;
  if (
    state === null ||
    typeof state !== "object" ||
    !Number.isInteger(state.iter) ||
    typeof state.elapsedMs !== "number" ||
    state.rng === null ||
    typeof state.rng !== "object"
  ) {
    throw new Error(`${path} is not a training state (iter, elapsedMs, rng)`);
  }
  return { callbacks: {}, ...state } as TrainingState & { optimizer: unknown };
}

/** Reads only the config of the checkpoint `dir` stands for (see {@link findCheckpoint}). */
export function readCheckpointConfig(dir: string): { path: string; config: CheckpointConfig } {
  const path = requireCheckpoint(dir);
  return { path, config: validateConfig(readJson(join(path, CONFIG_FILE)), join(path, CONFIG_FILE)) };
}

function requireCheckpoint(dir: string): string {
  if (!existsSync(dir)) throw new Error(`Checkpoint not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`A checkpoint is a directory, but ${dir} is a file`);
  const path = findCheckpoint(dir);
  if (path === undefined)
    throw new Error(`No checkpoint in ${dir} (it has neither ${CONFIG_FILE} nor ${LATEST_FILE})`);
  return resolve(path);
}

/** Reads what using a model needs, the config and the weights, without the training state. */
export function readCheckpointWeights(dir: string): {
  path: string;
  config: CheckpointConfig;
  weights: ReadonlyMap<string, Tensor>;
} {
  const { path, config } = readCheckpointConfig(dir);
  const weights = new Map<string, Tensor>();
  for (const [name, stored] of readSafetensorsFile(join(path, MODEL_FILE)).tensors) {
    weights.set(name, fromSafetensorsTensor(name, stored));
  }
  return { path, config, weights };
}

/** Reads the checkpoint `dir` stands for, checking every file; errors name the bad file. */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  // The small JSON files first, so a corrupt one is reported before the weights are read.
  const { path } = readCheckpointConfig(dir);
  const state = validateState(readJson(join(path, STATE_FILE)), join(path, STATE_FILE));
  const { config, weights } = readCheckpointWeights(path);
  const optimizerTensors = readSafetensorsFile(join(path, OPTIMIZER_FILE)).tensors;
  const { optimizer: optimizerJson, ...trainingState } = state;
  let optimizer: unknown;
  try {
    optimizer = unpackTensorTree(optimizerJson, optimizerTensors);
  } catch (error) {
    throw new Error(`${join(path, OPTIMIZER_FILE)}: ${(error as Error).message}`);
  }
  return { path, config, weights, optimizer, state: trainingState };
}
