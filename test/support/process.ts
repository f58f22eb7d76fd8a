import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * Asks `child` to stop with `signal`, kills it after `graceMs`, and resolves
 * once it has exited (at once if it already had).
 */
export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = "SIGTERM",
  graceMs = 10_000,
): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(kill);
      done();
    });
    child.kill(signal);
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, for assertions on logs. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts `plenum serve` as its own process, exactly as `npm start` runs it, on
 * an ephemeral loopback port with a fresh data folder; resolves once it says
 * where it is running.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  wrap: string[] = [],
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-e2e-"));
  const command = [...wrap, process.execPath, "--import", "tsx", "src/server/main.ts", "serve"];
  const [bin = "", ...args] = command;
  const child = spawn(bin, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: dataDir,
      PLENUM_LOG_LEVEL: "info",
      // Every test client comes from 127.0.0.1; the room-creation limit has its own test.
      PLENUM_ROOMS_PER_ADDRESS_PER_HOUR: "100000",
      // Likewise open connections (SPEC LIMIT-3 has its own test).
      PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "100000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within 60 s:\n${out}`)),
      60_000,
    );
    const check = () => {
      const m = /Plenum is running at (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${out}`));
    });
  });
  let closing: Promise<void> | undefined;
  return {
    url,
    child,
    output: () => out,
    close() {
      closing ??= stopChild(child).finally(() => rmSync(dataDir, { recursive: true, force: true }));
      return closing;
    },
  };
}
