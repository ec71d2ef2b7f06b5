// What a benchmark produces and how it is printed: a table for people, or one JSON object
// per line (--json) for scripts.

/** One line of output. `bench` and `impl` are always there; the rest depends on the bench. */
export interface BenchRecord {
  bench: string;
  impl: string;
  [field: string]: string | number | boolean | null | undefined;
}

export interface BenchContext {
  json: boolean;
  /** Threads to use where an implementation can use several (default: all cores). */
  threads: number;
  /** Extra arguments after the bench name. */
  args: string[];
  /** Emits a record at once in --json mode, and keeps it for the table otherwise. */
  emit(record: BenchRecord): void;
  /** A note for people (progress, a skipped peer); stderr, so --json output stays clean. */
  log(message: string): void;
}

export interface Bench {
  name: string;
  description: string;
  run(context: BenchContext): Promise<void>;
  /** The table printed without --json. */
  render(records: BenchRecord[]): string;
}

/** Formats rows as an aligned text table; numbers are right-aligned. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  const numeric = header.map((_, column) =>
    rows.every((row) => /^[-\d.,×x%—]*$/.test(String(row[column] ?? ""))),
  );
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join(
    "\n",
  );
}

/** A figure with a sensible number of digits. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(Math.min(decimals, 6));
}
