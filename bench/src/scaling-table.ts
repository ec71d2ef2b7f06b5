// The tables bench/scaling.sh prints from the JSON lines of its gemm and train-gpt runs: per
// thread count, infiniset (native, and wasm for the products) beside PyTorch on as many
// threads, with the ratio, and each figure's speed-up over one thread.
//
//   node bench/dist/scaling-table.js RECORDS.jsonl
import { readFileSync } from "node:fs";
import type { BenchRecord } from "./report.js";
import { fmt } from "./report.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: node bench/dist/scaling-table.js RECORDS.jsonl");
  process.exit(2);
}
const records = readFileSync(file, "utf8")
  .split("\n")
  .filter((line) => line.trim().startsWith("{"))
  .map((line) => JSON.parse(line) as BenchRecord)
  .filter((r) => r.skipped === undefined);

const threadCounts = [...new Set(records.map((r) => Number(r.threads)).filter((t) => t > 0))].sort(
  (a, b) => a - b,
);

type Find = (threads: number) => number | undefined;

/** GFLOP/s (or GB/s for one-row products) of an implementation for a shape at a thread count. */
const product =
  (impl: string, m: number, k: number, n: number, field: "gflops" | "gbps" = "gflops"): Find =>
  (threads) => {
    const r = records.find(
      (x) =>
        x.bench === "gemm" && x.impl === impl && x.m === m && x.k === k && x.n === n && x.threads === threads,
    );
    return r ? Number(r[field]) : undefined;
  };

/** Tokens per second (from the median step) of an implementation and preset at a thread count. */
const training =
  (impl: string, preset: string): Find =>
  (threads) => {
    const r = records.find(
      (x) =>
        x.bench === "train-gpt" &&
        x.impl === impl &&
        (impl !== "infiniset" || x.target === "native") &&
        (x.preset ?? "baby") === preset &&
        x.threads === threads,
    );
    return r ? Number(r.tokensPerSec) : undefined;
  };

/** A figure, with its speed-up over one thread beside it. */
function cell(find: Find, threads: number): string {
  const value = find(threads);
  if (value === undefined) return "—";
  const one = find(1);
  return threads === 1 || one === undefined ? fmt(value) : `${fmt(value)} (${fmt(value / one)}×)`;
}

function ratio(ours: Find, theirs: Find, threads: number): string {
  const a = ours(threads);
  const b = theirs(threads);
  return a === undefined || b === undefined ? "—" : `${fmt(a / b)}×`;
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

const native2048 = product("infiniset-native", 2048, 2048, 2048);
const torch2048 = product("pytorch", 2048, 2048, 2048);
const native1024 = product("infiniset-native", 1024, 1024, 1024);
const torch1024 = product("pytorch", 1024, 1024, 1024);
const gemv = (impl: string) => product(impl, 1, 4096, 4096, "gbps");

console.log(
  "Matrix products: GFLOP/s (GEMV 1×4096×4096: GB/s of B); in brackets the speed-up over one thread.\n",
);
console.log(
  table(
    [
      "threads",
      "1024² native",
      "1024² PyTorch",
      "native ÷ PyTorch",
      "2048² native",
      "2048² wasm",
      "2048² PyTorch",
      "native ÷ PyTorch",
      "GEMV native",
      "GEMV wasm",
      "GEMV PyTorch",
    ],
    threadCounts.map((t) => [
      String(t),
      cell(native1024, t),
      cell(torch1024, t),
      ratio(native1024, torch1024, t),
      cell(native2048, t),
      cell(product("infiniset-wasm", 2048, 2048, 2048), t),
      cell(torch2048, t),
      ratio(native2048, torch2048, t),
      cell(gemv("infiniset-native"), t),
      cell(gemv("infiniset-wasm"), t),
      cell(gemv("pytorch"), t),
    ]),
  ),
);
const presets = [
  ...new Set(records.filter((r) => r.bench === "train-gpt").map((r) => String(r.preset ?? "baby"))),
];
for (const preset of presets) {
  const ours = training("infiniset", preset);
  const theirs = training("pytorch", preset);
  console.log(
    `\nGPT training, ${preset} preset: tokens/s from the median step; in brackets the speed-up over one thread.\n`,
  );
  console.log(
    table(
      ["threads", "infiniset native", "PyTorch", "native ÷ PyTorch"],
      threadCounts.map((t) => [String(t), cell(ours, t), cell(theirs, t), ratio(ours, theirs, t)]),
    ),
  );
}
