import { addressOf, loadKoffi } from "./ffi.js";
import { KERNEL_NAME } from "./native-kernel.js";
import { type NativeToolchain, nativeToolchain } from "./native-toolchain.js";

/** What the native target found on this machine. */
export interface NativeAvailability {
  readonly available: boolean;
  /** Why not, when it is not. */
  readonly reason?: string;
  readonly toolchain?: NativeToolchain;
  readonly koffiVersion?: string;
}

let checked: NativeAvailability | undefined;

/**
 * Whether the native target works here: koffi loads, the C compiler runs, and a probe
 * kernel compiles, loads and computes. Checked once per process, on first need; the probe
 * library is cached like any kernel, so after the first run the check costs a few
 * milliseconds (the compiler's version and target macros).
 */
export function nativeAvailability(): NativeAvailability {
  if (checked) return checked;
  // The compiler and the FFI are looked for separately, so that `doctor` reports both.
  const problems: string[] = [];
  let toolchain: NativeToolchain | undefined;
  let koffiVersion: string | undefined;
  try {
    toolchain = nativeToolchain();
  } catch (error) {
    problems.push((error as Error).message);
  }
  try {
    koffiVersion = loadKoffi().version;
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (toolchain && koffiVersion) {
    try {
      const [probe] = toolchain.libraries.resolve([{ source: PROBE_SOURCE, contract: false }]);
      const cell = new Int32Array(new SharedArrayBuffer(8));
      probe!.call(addressOf(cell), 20, 22);
      if (cell[0] !== 42) throw new Error(`the probe kernel computed ${cell[0]} instead of 42`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const reason = problems.map((p) => p.split("\n").slice(0, 3).join(" ")).join("; ");
  checked = {
    available: problems.length === 0,
    ...(reason ? { reason } : {}),
    ...(toolchain ? { toolchain } : {}),
    ...(koffiVersion ? { koffiVersion } : {}),
  };
  return checked;
}

const PROBE_SOURCE = `#include <stdint.h>
void ${KERNEL_NAME}(const int64_t *restrict p, int64_t begin, int64_t end) {
  *(int32_t *)p = (int32_t)(begin + end);
}
`;
