import { createRequire } from "node:module";

/**
 * The foreign-function interface: koffi (https://koffi.dev), which ships prebuilt
 * binaries in its npm packages, so nothing is built at install time. Loaded lazily and
 * through `require`, so that infiniset imports (and the other targets work) where it is
 * missing or has no binary for the platform. Only what the native target uses is typed.
 */
interface KoffiLibrary {
  func(declaration: string): (...args: unknown[]) => unknown;
}

interface Koffi {
  load(path: string): KoffiLibrary;
  /** The address of a typed array's first element (koffi 3: a BigInt). */
  address(value: ArrayBufferView): bigint;
  version: string;
}

/** koffi is missing or has no binary for this platform. */
export class FfiUnavailableError extends Error {}

let koffi: Koffi | undefined;
let failure: Error | undefined;

export function loadKoffi(): Koffi {
  if (koffi) return koffi;
  if (failure) throw failure;
  try {
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
    return koffi;
  } catch (error) {
    failure = new FfiUnavailableError(
      `the FFI library koffi cannot be loaded: ${(error as Error).message.split("\n")[0]}`,
    );
    throw failure;
  }
}

/** A kernel function: (address of its parameters, first tile unit, end tile unit). */
export type NativeKernelFunction = (params: bigint, begin: number, end: number) => void;

const libraries = new Map<string, KoffiLibrary>();

/**
 * Opens a compiled library (once per path and thread) and binds one kernel function.
 * Libraries stay open: a process that loads the same path again (a worker thread) gets
 * the same code and the same thread-local state mechanics, from one `dlopen`.
 */
export function bindKernel(path: string, symbol: string): NativeKernelFunction {
  const ffi = loadKoffi();
  let library = libraries.get(path);
  if (!library) {
    library = ffi.load(path);
    libraries.set(path, library);
  }
  return library.func(`void ${symbol}(void *p, int64_t begin, int64_t end)`) as NativeKernelFunction;
}

/** The address of a typed array's first element, for C code to use. */
export function addressOf(view: ArrayBufferView): bigint {
  return loadKoffi().address(view);
}
