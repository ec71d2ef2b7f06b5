import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheRoot } from "../cache-dir.js";

/**
 * Where compiled kernels and measured tile sizes are kept between runs:
 * `$INFINISET_CACHE_DIR/native`, else `$XDG_CACHE_HOME/infiniset/native`, else
 * `~/.cache/infiniset/native`. When that cannot be created (a read-only home), a folder
 * in the system's temporary directory, so the target still works, only without a
 * cache that outlives the machine's temporary files.
 */
export function nativeCacheDir(): string {
  const preferred = join(cacheRoot(), "native");
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), `infiniset-native-${process.getuid?.() ?? "user"}`);
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}
