import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { tensor, withTarget } from "../../../src/index.js";
import { InThreadConnection } from "../../../src/targets/webgpu/device-connection.js";
import { DeviceExecutor } from "../../../src/targets/webgpu/device-executor.js";
import { requestDevice } from "../../../src/targets/webgpu/request-device.js";
import { createWebgpuTarget } from "../../../src/targets/webgpu/webgpu-target.js";
import { runCli } from "../../cli/run-cli.js";
import { webgpuTarget } from "../../helpers/targets-under-test.js";

/** A Vulkan loader pointed at no driver: no adapter, as on a machine without a GPU. */
const noGpu = { VK_ICD_FILENAMES: "/nonexistent/icd.json" };
const { skip } = webgpuTarget();

test("no adapter: INFINISET_TARGET=webgpu warns and runs on the CPU; doctor says why", async () => {
  const { code, stdout, stderr } = await runCli(["doctor", "--json"], {
    ...noGpu,
    INFINISET_TARGET: "webgpu",
  });
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.equal(report.webgpu.available, false);
  assert.match(report.webgpu.reason, /no WebGPU adapter found/);
  assert.ok(["native", "wasm"].includes(report.chosenTarget), report.chosenTarget);
  assert.match(stderr, /INFINISET_TARGET=webgpu: the webgpu target is not available here: no WebGPU adapter/);
});

test("no adapter: setDefaultTarget('webgpu') throws a clear error and the default stays on the CPU", async () => {
  const index = fileURLToPath(new URL("../../../src/index.js", import.meta.url));
  const script = `import { setDefaultTarget, defaultTarget } from ${JSON.stringify(index)};
try { setDefaultTarget("webgpu"); } catch (error) { console.log(error.message); }
console.log(defaultTarget().name);`;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { env: { ...process.env, ...noGpu, INFINISET_TARGET: "" }, timeout: 60_000 },
      (error, out) => (error ? reject(error) : resolve(out)),
    ),
  );
  const [message, chosen] = stdout.trim().split("\n");
  assert.match(message!, /^the webgpu target is not available here: no WebGPU adapter found/);
  assert.ok(["native", "wasm"].includes(chosen!), chosen);
});

test("doctor shows the adapter, its features and limits", { skip }, async () => {
  const { code, stdout, stderr } = await runCli(["doctor", "--json"], { INFINISET_TARGET: "" });
  assert.equal(code, 0, stderr);
  const { webgpu } = JSON.parse(stdout);
  assert.equal(webgpu.available, true);
  assert.equal(typeof webgpu.adapter, "string");
  assert.ok(Array.isArray(webgpu.features));
  assert.ok(webgpu.limits.maxComputeInvocationsPerWorkgroup >= 256);
  const text = await runCli(["doctor"], { INFINISET_TARGET: "" });
  assert.match(text.stdout, /^webgpu target +available/m);
  assert.match(text.stdout, /^ {2}limits +maxBufferSize \d+/m);
});

test("a device on the calling thread (as in a browser): await data() works, synchronous reads say to await", {
  skip,
}, async () => {
  const { device, report } = await requestDevice();
  const target = createWebgpuTarget(new InThreadConnection(new DeviceExecutor(device), report), {
    name: "webgpu-in-thread",
  });
  const y = withTarget(target, () =>
    tensor([
      [1, 2],
      [3, 4],
    ])
      .mul(2)
      .sum(1),
  );
  assert.deepEqual([...(await y.data())], [6, 14]);
  const z = withTarget(target, () => y.add(1));
  assert.throws(
    () => withTarget(target, () => z.dataSync()),
    /read asynchronously here .* use `await tensor.data\(\)`/,
  );
  assert.deepEqual([...(await withTarget(target, () => z.data()))], [7, 15]);
  device.destroy();
});
