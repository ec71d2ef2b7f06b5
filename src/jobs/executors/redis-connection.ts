// `--queue redis://[user:password@]HOST:PORT[/DB]` (rediss:// for TLS): the Redis that BullMQ
// keeps the queue in. Before any queue is built the address is checked with one short-lived
// connection, so a wrong address or a server that is down is one clear error line rather
// than a client retrying forever.
// ioredis and BullMQ are loaded when a queue is first used, not when the CLI starts (together
// ~0.35 s of every command's start otherwise).
import type { RedisOptions } from "ioredis";

/** BullMQ's connection options for `url`; throws on anything that is not a redis:// URL. */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--queue must be a redis://HOST:PORT URL, got "${url}"`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`--queue must be a redis:// or rediss:// URL, got "${url}"`);
  }
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db)) throw new Error(`--queue: the database in ${url} must be a number`);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(db === "" ? {} : { db: Number(db) }),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's workers and event readers block on Redis: their commands must wait out a
    // reconnection rather than fail after a few retries.
    maxRetriesPerRequest: null,
    // ioredis waits this long for a closed socket to say so; 2 s by default, which is how
    // long a failed command would otherwise linger before exiting.
    disconnectTimeout: 200,
  };
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}

/** Connects once and pings; throws "cannot reach Redis at …" with the reason if that fails. */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const { Redis } = await import("ioredis");
  const client = new Redis({
    ...redisOptions(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  client.on("error", (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = (lastError ?? (error as Error)).message;
    throw new Error(`cannot reach Redis at ${safeUrl(url)}: ${reason}`);
  } finally {
    client.disconnect();
  }
}
