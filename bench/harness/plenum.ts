import type { ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestNetwork } from "../../test/support/netns";
import { exited, LineReader } from "./lines";
import type { ServerUnderTest } from "./server";

const WRAPPER = resolve(import.meta.dirname, "../plenum-server.ts");
const PORT = 8080;

/** Starts the real Plenum server (bench/plenum-server.ts) in the server namespace. */
export async function startPlenum(
  net: TestNetwork,
  extraEnv: Record<string, string>,
): Promise<ServerUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-bench-data-"));
  const address = net.serverAddress;
  const env = {
    ...process.env,
    PLENUM_HOST: address,
    PLENUM_PORT: String(PORT),
    PLENUM_PUBLIC_URL: `http://${address}:${PORT}`,
    PLENUM_MEDIA_ADDRESSES: address,
    PLENUM_DATA_DIR: dataDir,
    PLENUM_LOG_LEVEL: "warn",
    PLENUM_DEFAULT_LOBBY: "false",
    // Every load generator client comes from one address: the per-address limits would stop them.
    PLENUM_JOIN_BURST: "100000",
    PLENUM_JOINS_PER_MINUTE: "100000",
    PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
    PLENUM_MESSAGE_BURST: "1000000",
    PLENUM_MESSAGES_PER_SECOND: "1000000",
    ...extraEnv,
  };
  // Extra Node flags for the server, e.g. --cpu-prof (not allowed in NODE_OPTIONS): profiling.
  const nodeArgs = (extraEnv.PLENUM_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child: ChildProcess = net.spawn(
    "server",
    process.execPath,
    [...nodeArgs, "--import", "tsx", WRAPPER],
    {
      env,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines = new LineReader(child);
  // Everything the server prints (with --trace-* flags in PLENUM_BENCH_NODE_ARGS, V8's traces).
  const out = process.env.BENCH_SERVER_OUT;
  // The server's own warnings and errors (pino JSON at "warn" and above) are worth seeing.
  lines.onLine((line) => {
    if (out) appendFileSync(out, `${line}\n`);
    if (line.startsWith('{"level"')) process.stderr.write(`[plenum] ${line.slice(0, 400)}\n`);
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.stdin?.end("stop\n");
      await exited(child, 10_000);
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    await Promise.race([
      lines.next("Plenum ready line", (l) => l.includes('"ready"'), 60_000),
      new Promise((_, reject) =>
        child.once("exit", (code) =>
          reject(new Error(`Plenum exited (${code}) before it was ready`)),
        ),
      ),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    await stop();
    throw error;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error("Plenum has no pid");
  return {
    kind: "plenum",
    baseUrl: `http://${address}:${PORT}`,
    pid,
    version: "",
    eventLoop: {
      reset() {
        child.stdin?.write("reset\n");
      },
      async report() {
        const reply = lines.next("event-loop report", (l) => l.includes('"eld"'), 10_000);
        child.stdin?.write("report\n");
        return (JSON.parse(await reply) as { p99Ms: number }).p99Ms;
      },
    },
    stop,
  };
}
