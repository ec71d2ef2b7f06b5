import { createHash, timingSafeEqual } from "node:crypto";

const digest = (key: string) => createHash("sha256").update(key, "utf8").digest();

/**
 * A check of a presented key against the server's keys that takes the same time whatever
 * the key: both sides are hashed to equal lengths, compared in constant time, and every
 * configured key is compared (no early exit on a match).
 */
export function constantTimeKeyCheck(keys: readonly string[]): (presented: string) => boolean {
  if (keys.some((k) => k.length === 0)) throw new Error("an API key must not be empty");
  const digests = keys.map(digest);
  return (presented) => {
    const given = digest(presented);
    let match = false;
    for (const d of digests) match = timingSafeEqual(d, given) || match;
    return match;
  };
}
