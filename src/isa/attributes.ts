import { isDType } from "../ir/dtype.js";
import { InstructionError } from "./errors.js";

/**
 * Attribute kinds an instruction can declare. A trailing `?` marks the attribute optional.
 * Declaring kinds (instead of trusting whatever object arrives) gives every instruction
 * the same clear error for a misspelt or mistyped attribute.
 */
export type AttrKind = "int" | "float" | "bool" | "ints" | "dtype" | "string";
export type AttrSchema = Readonly<Record<string, AttrKind | `${AttrKind}?`>>;

export type AttrValue = number | boolean | string | readonly number[] | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;

function matches(kind: AttrKind, v: unknown): boolean {
  switch (kind) {
    case "int":
      return Number.isInteger(v);
    case "float":
      return typeof v === "number";
    case "bool":
      return typeof v === "boolean";
    case "ints":
      return Array.isArray(v) && v.every((x) => Number.isInteger(x));
    case "dtype":
      return isDType(v);
    case "string":
      return typeof v === "string";
  }
}

/** Checks attributes against a schema; returns a copy without undefined entries. */
export function checkAttrs(instruction: string, schema: AttrSchema, attrs: Attrs): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(attrs)) {
    if (!(key in schema)) {
      const known = Object.keys(schema);
      throw new InstructionError(
        instruction,
        `unknown attribute "${key}"${known.length ? ` (known: ${known.join(", ")})` : " (it takes none)"}`,
      );
    }
  }
  for (const [key, declared] of Object.entries(schema)) {
    const optional = declared.endsWith("?");
    const kind = (optional ? declared.slice(0, -1) : declared) as AttrKind;
    const v = attrs[key];
    if (v === undefined) {
      if (!optional) throw new InstructionError(instruction, `missing attribute "${key}" (${kind})`);
      continue;
    }
    if (!matches(kind, v)) {
      throw new InstructionError(instruction, `attribute "${key}" must be ${kind}, got ${JSON.stringify(v)}`);
    }
    out[key] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}
