import type { KernelTable } from "../kernel-table.js";
import type { WebgpuInstructionKernel } from "./webgpu-program.js";

/**
 * The webgpu target's own kernels for whole instructions, by name. An instruction kernel
 * without an entry runs its reference semantics on the host (in Node, reading its inputs
 * back synchronously). This is where WGSL kernels for further instructions go: the
 * quantized dequant-matmuls of the GGUF work, embedding gathers.
 */
export const WEBGPU_KERNELS: KernelTable<WebgpuInstructionKernel> = {};
