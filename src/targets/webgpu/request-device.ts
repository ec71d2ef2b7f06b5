import type { AdapterReport } from "./device-commands.js";

/** Optional features used where the adapter has them. */
const WANTED_FEATURES = ["subgroups", "shader-f16", "timestamp-query"] as const;

/** Limits raised to what the adapter allows (the defaults are small: 8 storage buffers, 128 MiB bindings). */
const RAISED_LIMITS = [
  "maxStorageBuffersPerShaderStage",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupsPerDimension",
] as const;

/** Why no device could be had, as a user should read it. */
export class NoAdapterError extends Error {}

/**
 * The WebGPU entry point: `navigator.gpu` in a browser (or a Deno-like runtime), else the
 * `webgpu` package (Dawn) in Node.
 */
async function gpuEntry(): Promise<{ gpu: GPU; api: string }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, api: "navigator.gpu" };
  // A variable specifier: the package is optional, and bundlers for the browser skip it.
  const name = "webgpu";
  let dawn: { create: (options: string[]) => GPU };
  try {
    dawn = (await import(name)) as typeof dawn;
  } catch (error) {
    throw new NoAdapterError(
      `the "webgpu" package (Dawn for Node) is not installed (${(error as Error).message.split("\n")[0]}); install it with npm install webgpu`,
    );
  }
  return { gpu: dawn.create([]), api: "webgpu (Dawn for Node)" };
}

/**
 * Dawn's instance, kept for the life of the process: when the GPU object is collected,
 * Dawn tears down the instance under the devices still using it (threads crash in mutexes).
 */
const instances: GPU[] = [];

/** Finds an adapter and creates a device with the features and limits the kernels use. */
export async function requestDevice(): Promise<{ device: GPUDevice; report: AdapterReport }> {
  const { gpu, api } = await gpuEntry();
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new NoAdapterError(
      `no WebGPU adapter found through ${api} (no GPU driver; in Node, Dawn needs a Vulkan driver: ` +
        "a GPU's, or SwiftShader's from Debian's chromium package with " +
        "VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium)",
    );
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  const adapterLimits = adapter.limits as unknown as Record<string, number>;
  for (const name of RAISED_LIMITS)
    if (typeof adapterLimits[name] === "number") requiredLimits[name] = adapterLimits[name];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  const info = adapter.info;
  const limits: Record<string, number> = {};
  const deviceLimits = device.limits as unknown as Record<string, number>;
  for (const name in deviceLimits)
    if (typeof deviceLimits[name] === "number") limits[name] = deviceLimits[name];
  const subgroups = info as unknown as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const report: AdapterReport = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...device.features].sort(),
    adapterFeatures: [...adapter.features].sort(),
    limits,
    ...(subgroups.subgroupMinSize ? { subgroupMinSize: subgroups.subgroupMinSize } : {}),
    ...(subgroups.subgroupMaxSize ? { subgroupMaxSize: subgroups.subgroupMaxSize } : {}),
    api,
  };
  return { device, report };
}
