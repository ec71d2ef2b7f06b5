import { availableParallelism } from "node:os";

/** Threads to use: INFINISET_THREADS, else the machine's cores. */
export function defaultThreadCount(): number {
  const env = process.env.INFINISET_THREADS;
  if (env !== undefined) {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`INFINISET_THREADS must be a positive integer, got "${env}"`);
    return n;
  }
  return availableParallelism();
}
