import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port";
import { stopChild } from "./process";
import { waitFor } from "./wait";

/** Where Debian's postgresql package puts the server, whatever its version. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin/postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest)
    throw new Error(
      "PostgreSQL is not installed (Debian package postgresql; npm test installs it as root)",
    );
  return join(root, newest, "bin");
}

export interface TestPostgres {
  /** postgres://… of a fresh, empty database on every call. */
  createDatabase(): Promise<string>;
  readonly port: number;
  /** Stops the server (fast shutdown), keeping its data: an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data after `stop`. */
  start(): Promise<void>;
  /** Stops the server and removes its data folder; idempotent. */
  close(): Promise<void>;
}

const USER = "plenum";

/**
 * A real PostgreSQL for one test file: initdb into a temporary folder, started
 * on an ephemeral loopback port with its socket in that folder. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` system user
 * (which owns the folder).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "plenum-pg-"));
  const data = join(dir, "data");
  mkdirSync(data);
  const asRoot = process.getuid?.() === 0;
  const runAs: string[] = [];
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(data, uid, gid);
    // setpriv execs (no forking wrapper), so signals reach postgres itself.
    runAs.push("setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--");
  }
  const command = (name: string, args: string[]): [string, string[]] => {
    const full = [...runAs, join(bin, name), ...args];
    return [full[0] ?? "", full.slice(1)];
  };
  const env = { ...process.env, LC_ALL: "C", HOME: dir };
  const [initBin, initArgs] = command("initdb", [
    "-D",
    data,
    "-U",
    USER,
    "--auth=trust",
    "--no-sync",
    "--encoding=UTF8",
    "--locale=C",
  ]);
  execFileSync(initBin, initArgs, { env, cwd: dir, stdio: "pipe" });

  const port = await freePort();
  const [serverBin, serverArgs] = command("postgres", [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    dir,
    "-c",
    "listen_addresses=127.0.0.1",
    // A test database needs no durability; fsync off spares the shared disk.
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=200",
  ]);
  let child: ChildProcess | undefined;
  let log = "";
  const admin = (database = "postgres") =>
    new pg.Client({ host: "127.0.0.1", port, user: USER, database });
  /** Starts the server on the data folder and waits until it takes connections. */
  const run = async () => {
    log = "";
    const started = spawn(serverBin, serverArgs, {
      env,
      cwd: dir,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child = started;
    started.stderr?.on("data", (d) => {
      log += d;
    });
    await waitFor(
      `PostgreSQL on port ${port}`,
      async () => {
        if (started.exitCode !== null) throw new Error(`postgres exited:\n${log}`);
        const client = admin();
        try {
          await client.connect();
          return true;
        } finally {
          await client.end().catch(() => {});
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  };
  // SIGINT: PostgreSQL's fast shutdown (disconnects clients instead of waiting).
  const stop = async () => {
    if (child) await stopChild(child, "SIGINT");
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= stop().finally(() => rmSync(dir, { recursive: true, force: true }));
    return closing;
  };
  try {
    await run();
  } catch (error) {
    await close();
    throw error;
  }
  let count = 0;
  return {
    port,
    async createDatabase() {
      const name = `plenum_${process.pid}_${++count}`;
      const client = admin();
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    stop,
    start: run,
    close,
  };
}
