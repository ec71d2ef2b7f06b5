import type { Module } from "./module.js";

const count = (n: number) => n.toLocaleString("en-US");

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * Renders `Module.summary()`: one row per module, names indented by depth, with the module's
 * type, the shapes of the parameters it registers itself, and the number of parameters in it
 * and everything below it (shared tensors counted once). The last line is the model total.
 */
export function formatSummary(root: Module): string {
  const header = ["Layer", "Type", "Parameter shapes", "Params"];
  const rows = root.namedModules().map(([name, m]) => {
    const depth = name === "" ? 0 : name.split(".").length;
    const label = `${"  ".repeat(depth)}${name === "" ? "(model)" : name}`;
    const shapes = m
      .ownParameters()
      .map(([p, t]) => `${p} [${t.shape.join(",")}]`)
      .join(", ");
    return [label, m.constructor.name, shapes, count(m.parameterCount())];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  // The count column is right-aligned so digits line up; the others are left-aligned.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ");
  const rule = "─".repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const total = root.parameterCount();
  return [
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total parameters: ${count(total)} (${bytes(total * 4)} as float32)`,
  ].join("\n");
}
