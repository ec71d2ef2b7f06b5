import { Command } from "commander";
import { GgufFile } from "../../formats/gguf/gguf-file.js";
import { describeValue } from "../../formats/gguf/gguf-values.js";
import { formatTable } from "../text-table.js";

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
}

/** The lines `infiniset inspect` prints for a GGUF file: header, metadata, tensor table. */
export function inspectLines(file: GgufFile): string[] {
  const lines = [
    `${file.source}: GGUF version ${file.version}, ${megabytes(file.byteLength)}, ${file.metadata.size} metadata keys, ${file.tensors.length} tensors, alignment ${file.alignment}, data at byte ${file.dataOffset}`,
    "",
  ];
  lines.push(
    ...formatTable(
      ["key", "value"],
      [...file.metadata].map(([key, value]) => [key, describeValue(value)]),
    ),
  );
  lines.push("");
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const t of file.tensors) {
    const entry = byType.get(t.type.name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += t.byteLength;
    byType.set(t.type.name, entry);
  }
  lines.push(
    ...formatTable(
      ["tensor", "type", "shape", "size", "offset"],
      file.tensors.map((t) => [
        t.name,
        t.type.name,
        `[${t.shape.join(", ")}]`,
        megabytes(t.byteLength),
        String(t.offset),
      ]),
    ),
  );
  const parameters = file.tensors.reduce((n, t) => n + t.elements, 0);
  const types = [...byType]
    .map(([name, { count, bytes }]) => `${name} ×${count} (${megabytes(bytes)})`)
    .join(", ");
  lines.push("", `${(parameters / 1e6).toFixed(2)}M values: ${types}`);
  return lines;
}

export function inspectCommand(): Command {
  return new Command("inspect")
    .description("show a GGUF file's metadata and tensor table (reads only the header)")
    .argument("<model>", "a .gguf file")
    .action((path: string) => {
      const file = GgufFile.open(path);
      try {
        process.stdout.write(`${inspectLines(file).join("\n")}\n`);
      } finally {
        file.close();
      }
    });
}
