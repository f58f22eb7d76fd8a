import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";
import { waitFor } from "./wait";

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills redis-server outright (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  restart(): Promise<void>;
  /** Stops it and removes its folder; idempotent. */
  close(): Promise<void>;
}

/** Answers PING on `port`? */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
  });
}

/**
 * A real redis-server (Debian package) on an ephemeral loopback port with a
 * temporary folder and no persistence, as a cluster test needs it.
 */
export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "plenum-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

  const start = async () => {
    const c = spawn(
      "/usr/bin/redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
      ],
      { stdio: "ignore" },
    );
    child = c;
    await waitFor(
      `redis-server on port ${port}`,
      () => {
        if (exited(c)) throw new Error("redis-server exited");
        return pings(port);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  };
  const stop = (signal: NodeJS.Signals) =>
    new Promise<void>((done) => {
      const c = child;
      if (!c || exited(c)) return done();
      c.once("exit", () => done());
      c.kill(signal);
    });

  await start();
  let closing: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stop("SIGKILL"),
    restart: start,
    close() {
      closing ??= stop("SIGTERM").finally(() => rmSync(dir, { recursive: true, force: true }));
      return closing;
    },
  };
}
