import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { randn, type Target, type Tensor, withTarget } from "../../../src/index.js";
import { loadKoffi } from "../../../src/targets/native/ffi.js";
import { createNativeTarget } from "../../../src/targets/native/native-target.js";
import { compareValues } from "../../helpers/values.js";

/**
 * Without a working C compiler the native target still computes every program (on the
 * wasm target), with one warning, never an error: for a compiler that does not run
 * (CC=/bin/false), and for one that runs but fails on the kernels.
 */
let koffi = true;
try {
  loadKoffi();
} catch {
  koffi = false;
}
const skip = koffi ? false : "koffi is not installed";

async function warningsDuring(body: () => void): Promise<string[]> {
  const seen: string[] = [];
  const listen = (w: Error) => seen.push(w.message);
  process.on("warning", listen);
  try {
    body();
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", listen);
  }
  return seen.filter((m) => m.startsWith("native target"));
}

const programs: (() => Tensor)[] = [
  () => randn([7, 9], { seed: 1 }).softmax(),
  () =>
    randn([5, 6], { seed: 2 })
      .matmul(randn([6, 3], { seed: 3 }))
      .tanh(),
];

function checkFallsBack(target: Target) {
  return warningsDuring(() => {
    for (const build of programs) {
      const run = (t: Parameters<typeof withTarget>[0]) =>
        withTarget(t, () => {
          const out = build();
          return { data: out.dataSync(), shape: out.shape, dtype: out.dtype };
        });
      const problem = compareValues(run(target), run("ref"), 1e-5, 1e-6);
      assert.equal(problem, undefined, problem);
    }
  });
}

test("a compiler that does not run (/bin/false): programs run on wasm, one warning", { skip }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "infiniset-native-test-"));
  const target = createNativeTarget({
    name: "native-no-compiler",
    compiler: ["/bin/false"],
    cacheDir,
    threads: 2,
  });
  const warnings = await checkFallsBack(target);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0]!, /\/bin\/false/);
});

test("a compiler that fails on every kernel: programs run on wasm, one warning", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "infiniset-native-test-"));
  const broken = join(dir, "broken-cc");
  // Answers --version and preprocesses like the real compiler, but fails to compile anything.
  writeFileSync(
    broken,
    `#!/bin/sh\ncase " $* " in *" -o "*) echo "broken-cc: cannot compile" >&2; exit 1;; esac\nexec cc "$@"\n`,
  );
  chmodSync(broken, 0o755);
  const target = createNativeTarget({
    name: "native-broken",
    compiler: [broken],
    cacheDir: join(dir, "cache"),
  });
  const warnings = await checkFallsBack(target);
  assert.equal(warnings.length, 1, warnings.join("\n"));
  assert.match(warnings[0]!, /broken-cc: cannot compile/);
});

test("CC=/bin/false: native is not registered, and asking for it says why", () => {
  const dist = new URL("../../../", import.meta.url).href;
  const script = `
    const { availableTargets, getTarget } = await import(${JSON.stringify(`${dist}src/index.js`)});
    let error = "";
    try { getTarget("native"); } catch (e) { error = e.message; }
    console.log(JSON.stringify({ targets: availableTargets().map((t) => t.name), error }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, CC: "/bin/false" },
    encoding: "utf8",
  });
  const { targets, error } = JSON.parse(out) as { targets: string[]; error: string };
  assert.deepEqual(targets, ["ref", "wasm"]);
  assert.match(error, /native target is not available here: .*\/bin\/false/);
});
