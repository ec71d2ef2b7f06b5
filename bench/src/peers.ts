// Loading the peers. They live in bench/node_modules (bench/setup.sh installs them) and are
// imported by a computed name, so the bench compiles and runs without them: a missing peer
// becomes a note, not a failure. The interfaces below are the few calls the benches use.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The part of TensorFlow.js the benches use. */
export interface TfTensor {
  dataSync(): Float32Array;
  dispose(): void;
}
export interface Tfjs {
  version: Record<string, string>;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
  tensor2d(values: Float32Array, shape: [number, number], dtype: "float32"): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  env(): { set(flag: string, value: unknown): void };
}
interface TfjsWasmBackend {
  getThreadsCount?: () => number;
}

/** The part of onnxruntime-node the benches use. */
export interface OrtTensor {
  readonly data: unknown;
  dispose?: () => void;
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface Ort {
  env: { versions?: Record<string, string> };
  Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; note: string };

const SETUP_HINT = "run bench/setup.sh to install the peers";

async function importPeer(name: string): Promise<unknown> {
  const specifier: string = name; // a computed name keeps the compiler from needing the peer's types
  const module = (await import(specifier)) as { default?: unknown };
  return module;
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!;
}

let tfjs: Promise<Loaded<{ tf: Tfjs; wasmThreads: number }>> | undefined;

/** TensorFlow.js with the wasm backend registered (the cpu backend comes with tfjs itself). */
export function loadTfjs(): Promise<Loaded<{ tf: Tfjs; wasmThreads: number }>> {
  tfjs ??= (async () => {
    let tf: Tfjs;
    try {
      tf = (await importPeer("@tensorflow/tfjs")) as Tfjs;
    } catch (error) {
      return { ok: false, note: `@tensorflow/tfjs is not installed (${SETUP_HINT}): ${describe(error)}` };
    }
    let wasm: TfjsWasmBackend;
    try {
      wasm = (await importPeer("@tensorflow/tfjs-backend-wasm")) as TfjsWasmBackend;
    } catch (error) {
      return {
        ok: false,
        note: `@tensorflow/tfjs-backend-wasm is not installed (${SETUP_HINT}): ${describe(error)}`,
      };
    }
    // tfjs says "install tfjs-node" through console.warn on first use in Node; that goes to
    // stderr and is harmless. Quiet its production-mode checks too.
    tf.env().set("PROD", true);
    let wasmThreads = 1;
    try {
      if (await tf.setBackend("wasm")) wasmThreads = wasm.getThreadsCount?.() ?? 1;
    } catch {
      // reported when the wasm backend is used
    }
    return { ok: true, value: { tf, wasmThreads } };
  })();
  return tfjs;
}

let ort: Promise<Loaded<Ort>> | undefined;

export function loadOrt(): Promise<Loaded<Ort>> {
  ort ??= (async () => {
    try {
      const module = (await importPeer("onnxruntime-node")) as Ort & { default?: Ort };
      const value = module.InferenceSession ? module : module.default!;
      return { ok: true, value };
    } catch (error) {
      return { ok: false, note: `onnxruntime-node is not available (${SETUP_HINT}): ${describe(error)}` };
    }
  })();
  return ort;
}

/**
 * The Python that has PyTorch: $INFINISET_BENCH_PYTHON, else Debian's /usr/bin/python3 (the
 * python3-torch package imports only there), else python3 on PATH.
 */
export function pythonCommand(): string {
  const fromEnv = process.env.INFINISET_BENCH_PYTHON;
  if (fromEnv) return fromEnv;
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

let torch: Loaded<{ python: string; version: string }> | undefined;

/** Whether `import torch` works, and its version. */
export function probeTorch(): Loaded<{ python: string; version: string }> {
  if (torch) return torch;
  const python = pythonCommand();
  const probe = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (probe.status === 0) {
    torch = { ok: true, value: { python, version: probe.stdout.trim() } };
  } else {
    const why = probe.error ? describe(probe.error) : (probe.stderr.trim().split("\n").pop() ?? "failed");
    torch = {
      ok: false,
      note: `PyTorch skipped: \`${python} -c "import torch"\` failed (${why}); apt-get install python3-torch libopenblas0`,
    };
  }
  return torch;
}
