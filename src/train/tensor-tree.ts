// An optimizer's state is a tree of plain values and tensors (step counts, moment
// estimates, parameter groups). A checkpoint keeps the tree's shape as JSON and its tensors
// in a safetensors file, each tensor replaced in the JSON by a reference to its name, so
// the two together give back the same tree, float32 values bit for bit.
import type { SafetensorsTensor } from "../formats/safetensors.js";
import { Tensor } from "../tensor/tensor.js";
import { fromSafetensorsTensor, toSafetensorsTensor } from "./tensor-safetensors.js";

/** JSON with tensors taken out: a `{ $tensor: name }` object marks where each one was. */
export interface PackedTensorTree {
  json: unknown;
  tensors: Map<string, SafetensorsTensor>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Splits a tree of objects, arrays, Maps, numbers, strings, booleans, null and tensors. */
export function packTensorTree(tree: unknown): PackedTensorTree {
  const tensors = new Map<string, SafetensorsTensor>();
  const pack = (value: unknown, path: string): unknown => {
    if (value instanceof Tensor) {
      const name = path === "" ? "value" : path;
      tensors.set(name, toSafetensorsTensor(value));
      return { $tensor: name };
    }
    if (typeof value === "number") {
      // JSON has no NaN or infinities, and a learning rate or loss may be one of them.
      return Number.isFinite(value) ? value : { $number: String(value) };
    }
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (value === undefined) return { $undefined: true };
    if (Array.isArray(value)) return value.map((item, i) => pack(item, join(path, i)));
    if (value instanceof Map) {
      return {
        $map: [...value].map(([key, item], i) => [
          pack(key, join(path, `key${i}`)),
          pack(item, join(path, i)),
        ]),
      };
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (key.startsWith("$")) throw new Error(`state key "${key}" at ${path} must not start with $`);
        out[key] = pack(item, join(path, key));
      }
      return out;
    }
    throw new Error(`state at ${path || "the top"} is a ${describe(value)}, which a checkpoint cannot store`);
  };
  return { json: pack(tree, ""), tensors };
}

function join(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "object";
}

/** Rebuilds the tree `packTensorTree` split; tensors come back as new leaf tensors. */
export function unpackTensorTree(json: unknown, tensors: ReadonlyMap<string, SafetensorsTensor>): unknown {
  const unpack = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(unpack);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (typeof record.$tensor === "string") {
      const stored = tensors.get(record.$tensor);
      if (stored === undefined)
        throw new Error(`the state refers to tensor "${record.$tensor}", which is missing`);
      return fromSafetensorsTensor(record.$tensor, stored);
    }
    if (typeof record.$number === "string") return Number(record.$number);
    if (record.$undefined === true) return undefined;
    if (Array.isArray(record.$map)) {
      return new Map((record.$map as [unknown, unknown][]).map(([key, item]) => [unpack(key), unpack(item)]));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) out[key] = unpack(item);
    return out;
  };
  return unpack(json);
}
