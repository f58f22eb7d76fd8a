/**
 * The real Plenum server as the benchmark runs it: startServer() with the
 * configuration from the environment; the harness reads the event-loop delay
 * over stdin/stdout (JSON lines). The figures come from the monitor the
 * server runs anyway for /metrics (prom-client, 20 ms resolution): a second
 * monitor here would wake the event loop every few milliseconds and charge
 * its cost to Plenum's CPU, which the benchmark compares with Janus's.
 *   → {"type":"ready","url":...}          once listening
 *   ← "reset"                             starts a new measurement window
 *   ← "report" → {"type":"eld","p99Ms":…,"maxMs":…}
 *   ← "stop"                              closes the server and exits
 */
import { createInterface } from "node:readline";
import { loadConfig } from "../src/server/config/config";
import { createLogger } from "../src/server/observability/log";
import { EVENT_LOOP_RESOLUTION_MS, processRegistry } from "../src/server/observability/metrics";
import { startServer } from "../src/server/server";
import { makeStubClientDir } from "../test/support/server";

const config = loadConfig(process.env);
const server = await startServer(config, createLogger(config.logLevel), await makeStubClientDir());

/**
 * prom-client's event-loop figures since the last call (collecting resets
 * its histogram), as delay beyond the monitor's own timer interval.
 */
async function eventLoop(): Promise<{ p99Ms: number; maxMs: number }> {
  const metrics = await processRegistry.getMetricsAsJSON();
  const lateMs = (name: string) =>
    Math.max(
      0,
      Number(metrics.find((m) => m.name === name)?.values[0]?.value ?? Number.NaN) * 1e3 -
        EVENT_LOOP_RESOLUTION_MS,
    );
  return {
    p99Ms: lateMs("nodejs_eventloop_lag_p99_seconds"),
    maxMs: lateMs("nodejs_eventloop_lag_max_seconds"),
  };
}

function say(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "reset") void eventLoop();
  else if (line === "report") void eventLoop().then((e) => say({ type: "eld", ...e }));
  else if (line === "stop") void stop();
});
process.stdin.on("end", () => void stop());
process.on("SIGTERM", () => void stop());
say({ type: "ready", url: server.url });
