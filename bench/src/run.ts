// npm run bench -- <name> [--json] [--threads N] [bench options]
//
// Runs one benchmark on infiniset and, in the same invocation, on the peers that bench/setup.sh
// installs (TensorFlow.js, onnxruntime-node) and on PyTorch through python3 when it imports.
// Prints a table, or with --json one JSON object per line on stdout (progress goes to stderr).
import { availableParallelism, cpus } from "node:os";
import { agreement } from "./agreement.js";
import { augmentBench } from "./augment.js";
import { browserBench } from "./browser.js";
import { classify } from "./classify.js";
import { compress } from "./compress.js";
import { contention } from "./contention.js";
import { decode } from "./decode.js";
import { fusion } from "./fusion.js";
import { gemm } from "./gemm.js";
import { lmZoo } from "./lm-zoo.js";
import { overhead } from "./overhead.js";
import { quant } from "./quant.js";
import type { Bench, BenchContext, BenchRecord } from "./report.js";
import { seq2seqBench } from "./seq2seq.js";
import { serve } from "./serve.js";
import { trainGpt } from "./train-gpt.js";
import { tuneBench } from "./tune.js";
import { vision } from "./vision.js";

const benches: Bench[] = [
  gemm,
  fusion,
  overhead,
  lmZoo,
  trainGpt,
  contention,
  agreement,
  decode,
  quant,
  compress,
  tuneBench,
  serve,
  classify,
  augmentBench,
  browserBench,
  vision,
  seq2seqBench,
];

function usage(): string {
  return [
    "usage: npm run bench -- <name> [--json] [--threads N] [options]",
    "",
    "benches:",
    ...benches.map((b) => `  ${b.name.padEnd(10)} ${b.description}`),
    "",
    "  --json        one JSON object per line on stdout (use `npm run -s bench` to drop npm's header)",
    "  --threads N   threads for implementations that can use several (default: all cores)",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const bench = benches.find((b) => b.name === name);
  if (!bench) {
    console.error(`bench: no benchmark named "${name}"\n\n${usage()}`);
    return 2;
  }
  const json = rest.includes("--json");
  const threadsAt = rest.indexOf("--threads");
  const threads = threadsAt >= 0 ? Number(rest[threadsAt + 1]) : availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    console.error("bench: --threads needs a whole number >= 1");
    return 2;
  }
  const records: BenchRecord[] = [];
  const context: BenchContext = {
    json,
    threads,
    args: rest,
    emit(record) {
      records.push(record);
      if (json) process.stdout.write(`${JSON.stringify(record)}\n`);
    },
    log(message) {
      if (!json) process.stderr.write(`  ${message}\n`);
    },
  };
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  if (!json)
    process.stderr.write(`${bench.name}: ${cpu}, ${availableParallelism()} cores, Node ${process.version}\n`);
  await bench.run(context);
  if (!json) console.log(bench.render(records));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
