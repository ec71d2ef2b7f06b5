// A vision run directory (image classifier, captioner, detector, digit generator) holds
// checkpoints as `epoch-NNNN/` folders and a `latest.json` naming the newest complete one.
// A checkpoint folder has config.json (task, model config, training settings), the
// weights (model.safetensors) and, to resume, the optimizer state and the run's state
// (optimizer.safetensors, state.json: epoch, RNG, history). Files are written atomically,
// latest.json last, so a run killed at any moment resumes from a complete checkpoint.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import type { SafetensorsTensor } from "../formats/safetensors.js";
import { readSafetensorsFile, writeSafetensorsFile } from "../formats/safetensors-file.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";
import { fromSafetensorsTensor, toSafetensorsTensor } from "../train/tensor-safetensors.js";
import { packTensorTree, unpackTensorTree } from "../train/tensor-tree.js";

export const VISION_FORMAT = "infiniset-vision";
const CONFIG_FILE = "config.json";
const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
const STATE_FILE = "state.json";
const LATEST_FILE = "latest.json";

export type VisionTask = "classify" | "caption" | "retrieve" | "detect" | "draw";

export interface VisionConfig {
  format: typeof VISION_FORMAT;
  version: 1;
  task: VisionTask;
  /** What rebuilds the model (its config), by task. */
  model: Record<string, unknown>;
  /** The settings of the run that trained it (data, epochs, batch size, …). */
  training: Record<string, unknown>;
}

/** Where a run stands after a whole epoch: enough, with the optimizer, to continue exactly. */
export interface VisionRunState {
  epoch: number;
  /** Any JSON: RNG states, the history of evaluations. */
  [key: string]: unknown;
}

export interface VisionCheckpoint {
  config: VisionConfig;
  weights: ReadonlyMap<string, Tensor>;
  /** The optimizer's state dict and the run state, for resuming (absent in a finished model). */
  optimizer?: unknown;
  state?: VisionRunState;
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`${path} is missing`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON (the checkpoint is corrupt)`);
  }
}

/** Writes a checkpoint for `state.epoch` (or `final`) under the run directory; keeps only the newest. */
export function writeVisionCheckpoint(runDir: string, checkpoint: VisionCheckpoint): string {
  const name = checkpoint.state ? `epoch-${String(checkpoint.state.epoch).padStart(4, "0")}` : "final";
  const path = join(runDir, name);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  const weights = new Map<string, SafetensorsTensor>();
  for (const [key, value] of checkpoint.weights) weights.set(key, toSafetensorsTensor(value));
  writeSafetensorsFile(join(path, MODEL_FILE), weights, { format: VISION_FORMAT });
  if (checkpoint.state) {
    const optimizer = packTensorTree(checkpoint.optimizer);
    writeSafetensorsFile(join(path, OPTIMIZER_FILE), optimizer.tensors, { format: VISION_FORMAT });
    writeJson(join(path, STATE_FILE), { ...checkpoint.state, optimizer: optimizer.json });
  }
  writeJson(join(path, CONFIG_FILE), checkpoint.config);
  writeJson(join(runDir, LATEST_FILE), { format: VISION_FORMAT, checkpoint: name });
  for (const entry of readdirSync(runDir)) {
    if ((/^epoch-\d+$/.test(entry) || entry === "final") && entry !== name) {
      rmSync(join(runDir, entry), { recursive: true, force: true });
    }
  }
  return path;
}

/** The checkpoint folder `dir` stands for (itself, or what its latest.json names), if any. */
function findVisionCheckpoint(dir: string): string | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  if (existsSync(join(dir, CONFIG_FILE))) return dir;
  const latest = join(dir, LATEST_FILE);
  if (!existsSync(latest)) return undefined;
  const pointer = readJson(latest) as { format?: unknown; checkpoint?: unknown };
  if (pointer?.format !== VISION_FORMAT) return undefined;
  if (typeof pointer.checkpoint !== "string" || !/^(epoch-\d+|final)$/.test(pointer.checkpoint)) {
    throw new Error(`${latest} does not name a checkpoint folder`);
  }
  return join(dir, pointer.checkpoint);
}

/** The config of the vision checkpoint in `dir`, or undefined if `dir` holds none (or another kind). */
export function readVisionConfig(dir: string): VisionConfig | undefined {
  const path = findVisionCheckpoint(dir);
  if (path === undefined) return undefined;
  const config = readJson(join(path, CONFIG_FILE)) as Partial<VisionConfig> | null;
  if (config?.format !== VISION_FORMAT) return undefined;
  if (config.version !== 1 || typeof config.task !== "string" || typeof config.model !== "object") {
    throw new Error(`${join(path, CONFIG_FILE)} is not a vision checkpoint config this infiniset reads`);
  }
  return config as VisionConfig;
}

/** Reads a vision checkpoint; `task` is checked so a detector is not loaded as a classifier. */
export function readVisionCheckpoint(dir: string, task?: VisionTask): VisionCheckpoint & { path: string } {
  const path = findVisionCheckpoint(dir);
  const config = readVisionConfig(dir);
  if (path === undefined || config === undefined) throw new Error(`no infiniset vision checkpoint in ${dir}`);
  if (task && config.task !== task) {
    throw new Error(`${dir} holds a ${config.task} model, not a ${task} model`);
  }
  const weights = new Map<string, Tensor>();
  for (const [name, stored] of readSafetensorsFile(join(path, MODEL_FILE)).tensors) {
    weights.set(name, fromSafetensorsTensor(name, stored));
  }
  if (!existsSync(join(path, STATE_FILE))) return { path: resolve(path), config, weights };
  const { optimizer: optimizerJson, ...state } = readJson(join(path, STATE_FILE)) as VisionRunState & {
    optimizer: unknown;
  };
  const optimizer = unpackTensorTree(optimizerJson, readSafetensorsFile(join(path, OPTIMIZER_FILE)).tensors);
  return { path: resolve(path), config, weights, optimizer, state };
}

/**
 * A trained model of `task` from a checkpoint (a run directory or a checkpoint folder):
 * `build` makes it from its stored config, the weights are loaded, and it is put in eval mode.
 */
export function loadVisionModel<M extends Module, C>(
  dir: string,
  task: VisionTask,
  build: (config: C) => M,
): { model: M; config: VisionConfig } {
  const checkpoint = readVisionCheckpoint(dir, task);
  const model = build(checkpoint.config.model as unknown as C);
  model.loadStateDict(checkpoint.weights);
  model.eval();
  return { model, config: checkpoint.config };
}
