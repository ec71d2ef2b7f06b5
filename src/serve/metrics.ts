// The server's Prometheus metrics, in a registry of its own (several servers in one
// process, as in the tests, do not share counters).
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface ServeMetrics {
  readonly registry: Registry;
  readonly promptTokens: Counter;
  readonly generatedTokens: Counter;
  readonly timeToFirstToken: Histogram;
  readonly timePerToken: Histogram;
  readonly requestsRunning: Gauge;
  readonly requestsQueued: Gauge;
  readonly slotsBusy: Gauge;
  readonly kvCacheUsage: Gauge;
  readonly requests: Counter<"route" | "status">;
}

export function createServeMetrics(slots: number): ServeMetrics {
  const registry = new Registry();
  const registers = [registry];
  const slotsTotal = new Gauge({
    name: "infiniset_slots",
    help: "Sequences decoded together at most",
    registers,
  });
  slotsTotal.set(slots);
  return {
    registry,
    promptTokens: new Counter({
      name: "infiniset_prompt_tokens_total",
      help: "Prompt tokens accepted (times n)",
      registers,
    }),
    generatedTokens: new Counter({
      name: "infiniset_generated_tokens_total",
      help: "Tokens generated",
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: "infiniset_time_to_first_token_seconds",
      help: "From a request's arrival to its first generated token",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    timePerToken: new Histogram({
      name: "infiniset_time_per_output_token_seconds",
      help: "Between consecutive generated tokens of a choice",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    requestsRunning: new Gauge({
      name: "infiniset_requests_running",
      help: "Requests holding slots",
      registers,
    }),
    requestsQueued: new Gauge({
      name: "infiniset_requests_queued",
      help: "Requests waiting for a slot",
      registers,
    }),
    slotsBusy: new Gauge({ name: "infiniset_slots_busy", help: "Slots holding a sequence", registers }),
    kvCacheUsage: new Gauge({
      name: "infiniset_kv_cache_usage_ratio",
      help: "Filled fraction of the key/value cache",
      registers,
    }),
    requests: new Counter({
      name: "infiniset_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      registers,
    }),
  };
}
