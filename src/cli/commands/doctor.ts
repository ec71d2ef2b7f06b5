import { readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { availableTargets, defaultTarget } from "../../index.js";
import { nativeAvailability } from "../../targets/native/availability.js";
import { nativeCacheDir } from "../../targets/native/cache-dir.js";
import { cachedMatmulTuning } from "../../targets/native/matmul-tuning.js";
import { defaultThreadCount } from "../../targets/pool/thread-count.js";
import { type WebgpuStatus, webgpuStatus } from "../../targets/webgpu/open-webgpu.js";

/** What `infiniset doctor` found. */
export interface DoctorReport {
  node: string;
  cpu: string;
  threads: number;
  targets: string[];
  chosenTarget: string;
  native: {
    available: boolean;
    reason?: string;
    compiler?: string;
    compilerVersion?: string;
    cpuFeatures?: string[];
    vectorLanes?: number;
    koffi?: string;
    cache: { dir: string; libraries: number; bytes: number };
    matmulTuning?: { register: string; kc: number; mu: number; nu: number; gflops: number };
  };
  webgpu: WebgpuStatus;
}

function cacheUse(dir: string) {
  let libraries = 0;
  let bytes = 0;
  try {
    for (const name of readdirSync(dir)) {
      const size = statSync(join(dir, name)).size;
      bytes += size;
      if (name.endsWith(".so")) libraries++;
    }
  } catch {
    // no cache yet
  }
  return { dir, libraries, bytes };
}

export function doctorReport(): DoctorReport {
  const native = nativeAvailability();
  const toolchain = native.toolchain;
  const tuning = toolchain ? cachedMatmulTuning(toolchain.libraries) : undefined;
  return {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    threads: defaultThreadCount(),
    targets: availableTargets().map((t) => t.name),
    chosenTarget: defaultTarget().name,
    webgpu: webgpuStatus(),
    native: {
      available: native.available,
      ...(native.reason ? { reason: native.reason } : {}),
      ...(toolchain
        ? {
            compiler: toolchain.compiler.command.join(" "),
            compilerVersion: toolchain.compiler.version,
            cpuFeatures: [...toolchain.compiler.features],
            vectorLanes: toolchain.compiler.lanes,
          }
        : {}),
      ...(native.koffiVersion ? { koffi: native.koffiVersion } : {}),
      cache: cacheUse(toolchain?.libraries.cacheDir ?? nativeCacheDir()),
      ...(tuning
        ? {
            matmulTuning: {
              register: `${tuning.mr}×${tuning.nr}`,
              kc: tuning.kc,
              mu: tuning.mu,
              nu: tuning.nu,
              gflops: tuning.gflops,
            },
          }
        : {}),
    },
  };
}

export function formatDoctorReport(r: DoctorReport): string[] {
  const n = r.native;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    `node            ${r.node}`,
    `cpu             ${r.cpu}`,
    `threads         ${r.threads} (INFINISET_THREADS, else the number of cores)`,
    `targets         ${r.targets.join(", ")}`,
    `chosen target   ${r.chosenTarget} (INFINISET_TARGET overrides)`,
    "",
    `native target   ${n.available ? "available" : `unavailable: ${n.reason}`}`,
    `  C compiler    ${n.compiler ? `${n.compiler}: ${n.compilerVersion}` : "none found (CC, else cc)"}`,
    `  CPU features  ${n.cpuFeatures ? `${n.cpuFeatures.join(" ")} (${n.vectorLanes} float32 lanes)` : "-"}`,
    `  FFI           ${n.koffi ? `koffi ${n.koffi}` : "koffi not installed"}`,
    `  cache         ${n.cache.dir}: ${n.cache.libraries} compiled kernels, ${mib(n.cache.bytes)} (INFINISET_CACHE_DIR overrides)`,
    `  matmul        ${
      n.matmulTuning
        ? `${n.matmulTuning.register} register block, KC ${n.matmulTuning.kc}, ${n.matmulTuning.mu}×${n.matmulTuning.nu} per tile, ${n.matmulTuning.gflops.toFixed(1)} GFLOP/s on one thread when measured`
        : "not measured yet (measured at the first matmul)"
    }`,
    "",
    ...formatWebgpu(r.webgpu),
  ];
}

function formatWebgpu(w: WebgpuStatus): string[] {
  if (!w.available) return [`webgpu target   unavailable: ${w.reason}`];
  const limits = Object.entries(w.limits ?? {}).map(([name, value]) => `${name} ${value}`);
  return [
    `webgpu target   available (INFINISET_TARGET=webgpu)`,
    `  adapter       ${w.adapter} through ${w.api}`,
    `  features      ${w.features?.join(" ") || "-"}`,
    `  subgroups     ${w.subgroupSizes ?? "-"}`,
    `  limits        ${limits.join(", ")}`,
    `  matmul        ${w.matmulTiles}`,
  ];
}

/** `infiniset doctor`: what infiniset found on this machine and which target it runs on. */
export function doctorCommand(): Command {
  return new Command("doctor")
    .description(
      "show the detected C compiler, CPU features, threads, GPU adapter, chosen target and kernel cache",
    )
    .option("--json", "print the report as one JSON object")
    .action((options: { json?: boolean }) => {
      const report = doctorReport();
      const text = options.json ? JSON.stringify(report) : formatDoctorReport(report).join("\n");
      process.stdout.write(`${text}\n`);
    });
}
