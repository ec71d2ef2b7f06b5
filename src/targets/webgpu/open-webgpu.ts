import { InThreadConnection } from "./device-connection.js";
import { DeviceExecutor } from "./device-executor.js";
import { cachedTiles, isCpuAdapter, tileName } from "./matmul-tuning.js";
import { NoAdapterError, requestDevice } from "./request-device.js";
import { adapterName, createWebgpuTarget, type WebgpuTarget } from "./webgpu-target.js";
import { WorkerConnection } from "./worker-connection.js";

/**
 * The process's webgpu target, opened once. In Node the device lives on a worker thread
 * and opening it blocks until the adapter answers, so `INFINISET_TARGET=webgpu` and
 * `setDefaultTarget("webgpu")` work as they do for the CPU targets. A browser's device
 * lives on its page's thread, and asking for it is asynchronous: `await initWebgpu()`.
 */
let opened: WebgpuTarget | undefined;
let failure: Error | undefined;

const inNode = typeof process !== "undefined" && process.versions?.node !== undefined;

export function openWebgpuSync(): WebgpuTarget {
  if (opened) return opened;
  if (failure) throw failure;
  if (!inNode) {
    throw new Error(
      'the webgpu target is opened asynchronously in a browser: call `await initWebgpu()` first, then setDefaultTarget("webgpu")',
    );
  }
  try {
    opened = createWebgpuTarget(new WorkerConnection());
  } catch (error) {
    failure = error instanceof NoAdapterError ? error : new NoAdapterError((error as Error).message);
    throw failure;
  }
  return opened;
}

/**
 * Opens the webgpu target (asks for a GPU adapter and device) and makes it available as
 * "webgpu": in a browser, `await initWebgpu()` before `setDefaultTarget("webgpu")`; in Node
 * it is optional. Rejects with the reason when there is no adapter.
 */
export async function initWebgpu(): Promise<WebgpuTarget> {
  if (opened || inNode) return openWebgpuSync();
  if (failure) throw failure;
  try {
    const { device, report } = await requestDevice();
    opened = createWebgpuTarget(new InThreadConnection(new DeviceExecutor(device), report));
  } catch (error) {
    failure = error as Error;
    throw failure;
  }
  return opened;
}

/** The target if it has been opened (nothing is probed). */
export function openedWebgpu(): WebgpuTarget | undefined {
  return opened;
}

/** What `doctor` shows about WebGPU: the adapter, its features and limits, or why there is none. */
export interface WebgpuStatus {
  readonly available: boolean;
  readonly reason?: string;
  readonly api?: string;
  readonly adapter?: string;
  readonly features?: readonly string[];
  readonly limits?: Readonly<Record<string, number>>;
  readonly subgroupSizes?: string;
  readonly matmulTiles?: string;
}

const SHOWN_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupsPerDimension",
] as const;

/** Opens the webgpu target if it is not open yet (this probes the GPU) and describes it. */
export function webgpuStatus(): WebgpuStatus {
  let target: WebgpuTarget;
  try {
    target = openWebgpuSync();
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
  const r = target.adapter;
  const tiles = target.matmulTiles()?.tiles ?? (isCpuAdapter(r) ? undefined : cachedTiles(r));
  return {
    available: true,
    api: r.api,
    adapter: adapterName(r),
    features: r.features,
    limits: Object.fromEntries(SHOWN_LIMITS.map((name) => [name, r.limits[name] ?? 0])),
    ...(r.subgroupMinSize ? { subgroupSizes: `${r.subgroupMinSize}–${r.subgroupMaxSize}` } : {}),
    matmulTiles: isCpuAdapter(r)
      ? "smallest (a CPU implementation of WebGPU)"
      : tiles
        ? tileName(tiles)
        : "not measured yet (measured at the first matmul)",
  };
}
