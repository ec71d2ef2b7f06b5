import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Keeps the kernel cache from growing without bound: every kernel structure ever compiled
 * stays there (random tests make new ones every run), so past `limit` libraries the least
 * recently used ones go, down to three quarters of it. Loading a library marks it used
 * (kernel-libraries.ts touches its time stamp). INFINISET_NATIVE_CACHE_MAX sets the limit.
 */
export function cacheLimit(): number {
  const env = Number(process.env.INFINISET_NATIVE_CACHE_MAX);
  return Number.isInteger(env) && env > 0 ? env : 5000;
}

export function pruneCache(dir: string, limit = cacheLimit()): number {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".so"));
  } catch {
    return 0;
  }
  if (names.length <= limit) return 0;
  const byAge = names
    .map((name) => {
      try {
        return { name, used: statSync(join(dir, name)).mtimeMs };
      } catch {
        return { name, used: 0 };
      }
    })
    .sort((a, b) => a.used - b.used);
  const doomed = byAge.slice(0, names.length - Math.floor((limit * 3) / 4));
  for (const { name } of doomed) {
    const stem = name.slice(0, -".so".length);
    rmSync(join(dir, name), { force: true });
    rmSync(join(dir, `${stem}.c`), { force: true });
  }
  return doomed.length;
}
