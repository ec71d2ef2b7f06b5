/**
 * Left-aligned columns separated by two spaces, for terminal output. The last column is
 * not padded, so long free text there (a doc line) does not leave trailing spaces.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
