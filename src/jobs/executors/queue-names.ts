// What coordinators and workers agree on: the queue's name, and how a worker tells the
// coordinators how many jobs it takes at once (BullMQ lists connected workers by name).

export const DEFAULT_QUEUE_NAME = "infiniset";

/** A worker's BullMQ name: unique per process, ending in its number of job slots. */
export function workerName(host: string, pid: number, slots: number): string {
  return `${host.replace(/[^\w.-]/g, "_")}-${pid}-slots${slots}`;
}

/** The job slots a worker's connection name announces, if it is one of ours. */
export function slotsOf(connectionName: string): number | undefined {
  const match = /-slots(\d+)$/.exec(connectionName);
  return match ? Number(match[1]) : undefined;
}

/** Throttles repeated warnings (a Redis outage makes every client complain every second). */
export function throttledWarnings(
  warn: (message: string) => void,
  intervalMs = 10_000,
): (error: Error) => void {
  const last = new Map<string, number>();
  return (error) => {
    const now = Date.now();
    if (now - (last.get(error.message) ?? -Infinity) < intervalMs) return;
    last.set(error.message, now);
    warn(`Redis: ${error.message}`);
  };
}
