import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeStubClientDir } from "./server";

const ROOT = resolve(import.meta.dirname, "../..");
const STRACE = "/usr/bin/strace";

/**
 * The server as its own process, every connect and send of it and its threads
 * recorded by strace. Only these calls name a destination; accepted
 * connections are answered with write/writev, which go back where they came from.
 */
export interface TracedServer {
  url: string;
  /** Stops the server (SIGTERM, as an operator would) and returns the strace log. */
  stop(): Promise<string>;
  /** Stops the server if needed and removes its temporary directories; idempotent. */
  close(): Promise<void>;
}

/** Installs strace when missing (Debian, as root); otherwise says how. */
export function ensureStrace(): void {
  if (existsSync(STRACE)) return;
  if (process.getuid?.() !== 0) {
    throw new Error("The egress test needs strace: sudo apt-get install -y strace");
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  spawnSync("apt-get", ["install", "-y", "-qq", "strace"], { stdio: "inherit", env });
  if (!existsSync(STRACE)) throw new Error("apt-get could not install strace");
}

export async function startTracedServer(): Promise<TracedServer> {
  ensureStrace();
  const dir = mkdtempSync(join(tmpdir(), "plenum-egress-"));
  const clientDir = await makeStubClientDir();
  const logFile = join(dir, "strace.log");
  const child = spawn(
    STRACE,
    [
      "-f", // every thread: libuv's pool resolves names, werift's sockets live in the media worker threads
      "--seccomp-bpf", // stop only at the traced calls, so media timing stays realistic
      "-qq",
      "-e",
      "trace=connect,sendto,sendmsg,sendmmsg",
      "-e",
      "signal=none",
      "-s",
      "0",
      "-o",
      logFile,
      process.execPath,
      "--import",
      "tsx",
      "src/server/main.ts",
      "serve",
    ],
    {
      cwd: ROOT,
      // A clean environment: nothing of the test runner's (NODE_OPTIONS, NODE_TEST_CONTEXT).
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? dir,
        PLENUM_PORT: "0",
        PLENUM_DATA_DIR: dir,
        PLENUM_CLIENT_DIR: clientDir,
        PLENUM_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const removeDirs = () => {
    for (const d of [dir, clientDir]) rmSync(d, { recursive: true, force: true });
  };
  let url: string;
  try {
    url = await runningAt(child);
  } catch (error) {
    // Killing strace alone would leave the server running, detached.
    if (child.exitCode === null) {
      try {
        signal(childOf(child.pid ?? -1), "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }
    await exited;
    removeDirs();
    throw error;
  }
  // strace blocks fatal signals while it runs a program (-o FILE PROG), so the
  // server itself gets the SIGTERM; strace ends with it.
  const serverPid = childOf(child.pid ?? -1);

  let stopping: Promise<string> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      signal(serverPid, "SIGTERM");
      const kill = setTimeout(() => signal(serverPid, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(kill);
      return readFileSync(logFile, "utf8");
    })();
    return stopping;
  };
  let closing: Promise<void> | undefined;
  return {
    url,
    stop,
    close() {
      closing ??= stop().then(removeDirs, removeDirs);
      return closing;
    },
  };
}

/** The process whose parent is `parent` (strace has exactly one: the server). */
function childOf(parent: number): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": the command may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`strace (pid ${parent}) has no child process`);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Resolves with the URL the server prints once it listens. */
function runningAt(child: ChildProcess): Promise<string> {
  let output = "";
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start within 60 s:\n${output}`)),
      60_000,
    );
    const collect = (data: Buffer) => {
      output += data.toString();
      const url = /Plenum is running at (\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolveUrl(url);
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it started:\n${output}`));
    });
  });
}
