import assert from "node:assert/strict";
import { test } from "node:test";
import { availableTargets } from "../../../src/index.js";
import { nativeAvailability } from "../../../src/targets/native/availability.js";
import { runCli } from "../../cli/run-cli.js";

/** `infiniset doctor` reports what was detected, and agrees with the library. */
test("doctor --json: compiler, CPU features, threads, chosen target, cache", async () => {
  const { code, stdout, stderr } = await runCli(["doctor", "--json"], {
    INFINISET_THREADS: "3",
    INFINISET_TARGET: "",
  });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.threads, 3);
  assert.deepEqual(
    report.targets,
    availableTargets().map((t) => t.name),
  );
  const native = nativeAvailability();
  assert.equal(report.native.available, native.available);
  assert.equal(report.chosenTarget, native.available ? "native" : "wasm");
  assert.equal(typeof report.native.cache.dir, "string");
  if (native.available) {
    assert.equal(report.native.compilerVersion, native.toolchain!.compiler.version);
    assert.ok(report.native.cpuFeatures.length > 0, "no CPU features detected");
    assert.ok([4, 8, 16].includes(report.native.vectorLanes));
  }
});

test("doctor prints a readable report, and honours INFINISET_TARGET", async () => {
  const { code, stdout } = await runCli(["doctor"], { INFINISET_TARGET: "wasm" });
  assert.equal(code, 0);
  assert.match(stdout, /^chosen target +wasm /m);
  assert.match(stdout, /^native target +(available|unavailable: .+)$/m);
  assert.match(stdout, /^ {2}C compiler /m);
  assert.match(stdout, /^ {2}cache +\S+/m);
});

test("doctor with CC=/bin/false: native unavailable, wasm chosen, INFINISET_TARGET=native warns", async () => {
  const { code, stdout, stderr } = await runCli(["doctor", "--json"], {
    CC: "/bin/false",
    INFINISET_TARGET: "native",
  });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.native.available, false);
  assert.match(report.native.reason, /\/bin\/false/);
  assert.equal(report.chosenTarget, "wasm");
  assert.match(stderr, /INFINISET_TARGET=native: the native target is not available here/);
});
