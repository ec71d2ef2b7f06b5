import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where targets keep what outlives a process (compiled kernels, measured tunings):
 * `$INFINISET_CACHE_DIR`, else `$XDG_CACHE_HOME/infiniset`, else `~/.cache/infiniset`.
 */
export function cacheRoot(): string {
  return (
    process.env.INFINISET_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "infiniset")
  );
}
