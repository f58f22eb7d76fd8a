import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Process-wide metrics: Node's own (CPU, memory, event loop lag), join
 * latency and the media counters (src/server/media/metrics.ts). A process
 * exists once, so they live in one registry; what depends on one server's
 * rooms is registered per server (`serverRegistry`).
 */
export const processRegistry = new Registry();

/**
 * The event-loop monitor's timer (ms). Node's histogram records the whole
 * interval between its ticks, so prom-client's lag figures include it.
 */
export const EVENT_LOOP_RESOLUTION_MS = 20;

let defaultsStarted = false;
/** Starts Node's default collectors (once per process: they cannot be registered twice). */
function startDefaults(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  // nodejs_eventloop_lag_seconds, process_cpu_seconds_total, heap and GC figures.
  collectDefaultMetrics({
    register: processRegistry,
    eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS,
  });
}

/** From `join` arriving to the person being in the meeting (or the lobby), in seconds. */
export const joinSeconds = new Histogram({
  name: "plenum_join_seconds",
  help: "Time to handle a join request until the person is in the meeting or the lobby",
  labelNames: ["outcome"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

/** Requests refused by a configured bound (docs/OPERATIONS.md, "Limits"; SPEC LIMIT-1). */
export const limitRefusals = new Counter({
  name: "plenum_limit_refusals_total",
  help: "Requests refused because a configured limit was reached, by limit",
  labelNames: ["limit"] as const,
  registers: [processRegistry],
});

/** What one server knows of its meetings; read when scraped, never stored. */
export interface MeetingCounts {
  readonly openRooms: number;
  readonly participantCount: number;
}

/** A registry with this server's room and participant gauges beside the process metrics. */
export function serverRegistry(
  counts: MeetingCounts,
  /** The configured bounds, exported so that a dashboard can put refusals beside them. */
  limits: Record<string, number> = {},
): Registry {
  startDefaults();
  const registry = new Registry();
  new Gauge({
    name: "plenum_limit",
    help: "A configured limit (docs/OPERATIONS.md, Limits), by name",
    labelNames: ["limit"] as const,
    registers: [registry],
    collect() {
      for (const [limit, value] of Object.entries(limits)) this.set({ limit }, value);
    },
  });
  new Gauge({
    name: "plenum_rooms",
    help: "Rooms with someone in them or waiting in their lobby",
    registers: [registry],
    collect() {
      this.set(counts.openRooms);
    },
  });
  new Gauge({
    name: "plenum_participants",
    help: "People in meetings (not counting the lobby)",
    registers: [registry],
    collect() {
      this.set(counts.participantCount);
    },
  });
  return registry;
}

/** The text format Prometheus scrapes. */
export async function renderMetrics(registry: Registry): Promise<string> {
  return Registry.merge([processRegistry, registry]).metrics();
}

export const METRICS_CONTENT_TYPE = processRegistry.contentType;
