/**
 * The real Plenum server as the benchmark runs it: startServer() with the
 * configuration from the environment, plus an event-loop delay monitor the
 * harness reads over stdin/stdout (JSON lines):
 *   → {"type":"ready","url":...}          once listening
 *   ← "reset"                             starts a new measurement window
 *   ← "report" → {"type":"eld","p99Ms":…,"maxMs":…}
 *   ← "stop"                              closes the server and exits
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { loadConfig } from "../src/server/config/config";
import { createLogger } from "../src/server/observability/log";
import { startServer } from "../src/server/server";
import { makeStubClientDir } from "../test/support/server";

const config = loadConfig(process.env);
const server = await startServer(config, createLogger(config.logLevel), await makeStubClientDir());
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

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
  if (line === "reset") delay.reset();
  else if (line === "report")
    say({ type: "eld", p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 });
  else if (line === "stop") void stop();
});
process.stdin.on("end", () => void stop());
process.on("SIGTERM", () => void stop());
say({ type: "ready", url: server.url });
