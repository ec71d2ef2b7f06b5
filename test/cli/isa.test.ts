import assert from "node:assert/strict";
import { test } from "node:test";
import { registeredInstructions } from "../../src/index.js";
import { TARGET_INDEPENDENT } from "../helpers/target-independent.js";
import { runCli } from "./run-cli.js";

test("isa --json prints one object per registered instruction with name, kind, differentiable, targets", {
  skip: TARGET_INDEPENDENT,
}, async () => {
  const { code, stdout, stderr } = await runCli(["isa", "--json"]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split("\n");
  assert.ok(lines.length >= 45, `only ${lines.length} instructions listed`);
  const rows = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const row of rows) {
    assert.equal(typeof row.name, "string");
    assert.ok(row.kind === "primitive" || row.kind === "composite", JSON.stringify(row));
    assert.equal(typeof row.differentiable, "boolean");
    assert.ok(Array.isArray(row.targets) && row.targets.every((t) => typeof t === "string"));
    assert.equal(typeof row.doc, "string");
  }
  // The CLI reports the registry as it is. (Registration order follows import order, which
  // differs between the CLI's process and this one, so the rows are compared by name.)
  const registry = registeredInstructions();
  const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
  assert.deepEqual(
    rows.map((r) => [r.name, r.kind, r.differentiable]).sort(byName),
    registry.map((i) => [i.name, i.kind, i.differentiable]).sort(byName),
  );
  // `ref` has a kernel for every primitive and decomposes every composite.
  for (const row of rows) {
    const onRef = (row.targets as string[]).includes("ref");
    assert.equal(onRef, row.kind === "primitive", `${row.name}: targets ${JSON.stringify(row.targets)}`);
  }
});

test("isa prints an aligned table with a header and a count line", { skip: TARGET_INDEPENDENT }, async () => {
  const { code, stdout } = await runCli(["isa"]);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^NAME +KIND +DIFFERENTIABLE +TARGETS +DOC$/);
  const matmul = lines.find((l) => l.startsWith("matmul "));
  assert.match(matmul ?? "", /^matmul +primitive +yes +ref,wasm(,native)? +batched matrix product/);
  const softmax = lines.find((l) => l.startsWith("softmax "));
  assert.match(softmax ?? "", /^softmax +composite +yes +- +exp/);
  // Aligned: every column starts where its header does.
  const kindColumn = lines[0]!.indexOf("KIND");
  for (const row of [matmul!, softmax!]) assert.match(row.slice(kindColumn), /^(primitive|composite) /);
  const count = registeredInstructions().length;
  assert.ok(
    lines.some((l) => l.startsWith(`${count} instructions: `)),
    `no count line for ${count} instructions`,
  );
});
