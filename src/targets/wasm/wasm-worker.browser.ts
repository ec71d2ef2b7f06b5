import { webWorkerSide } from "../pool/web-workers.js";
import { serveWasmPrograms } from "./serve-wasm-programs.js";
import type { WorkerData } from "./worker-protocol.js";

/** A Web Worker of the wasm target in a browser (wasm-worker.ts is Node's). */
const { data, receive } = await webWorkerSide<WorkerData>();
await serveWasmPrograms(data, receive);
