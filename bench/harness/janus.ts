import { type ChildProcess, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestNetwork } from "../../test/support/netns";
import { exited, LineReader } from "./lines";
import type { ServerUnderTest } from "./server";

const JANUS = "/usr/bin/janus";
const LIBS = "/usr/lib/x86_64-linux-gnu/janus";
const PORT = 8088;

/** Installs the Debian package `janus` when missing (as root), or says how. */
export function ensureJanus(): void {
  if (existsSync(JANUS)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      "The Janus baseline needs the Debian package janus (1.1.2). Install it with:\n  sudo apt-get update && sudo apt-get install -y janus\nor run with --only plenum.",
    );
  }
  console.log("Installing janus (apt-get) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "janus"], {
    stdio: "inherit",
    env,
  });
  if (r.status !== 0 || !existsSync(JANUS)) throw new Error("apt-get install janus failed");
}

export function janusVersion(): string {
  if (!existsSync(JANUS)) return "not installed";
  // `janus --version` prints the version, then exits with status 1.
  const out = spawnSync(JANUS, ["--version"], { encoding: "utf8" }).stdout ?? "";
  return /Janus version: \d+ \(([^)]+)\)/.exec(out)?.[1] ?? "unknown";
}

/**
 * A configuration of our own in a temporary folder: only the VideoRoom plugin
 * and the HTTP transport (on the server's veth address), no admin API, no
 * STUN, ICE on the veth only (libnice gathers no loopback candidates).
 */
function writeConfig(dir: string, net: TestNetwork): string {
  for (const [folder, lib] of [
    ["plugins", "plugins/libjanus_videoroom.so"],
    ["transports", "transports/libjanus_http.so"],
    ["events", ""],
    ["loggers", ""],
  ] as const) {
    mkdirSync(join(dir, folder));
    if (lib) symlinkSync(join(LIBS, lib), join(dir, lib));
  }
  const main = join(dir, "janus.jcfg");
  writeFileSync(
    main,
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 3
  interface = "${net.serverAddress}"
  session_timeout = 120
  server_name = "plenum-bench"
}
certificates: {
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  nice_debug = false
  ice_enforce_list = "${net.serverDevice}"
  ignore_mdns = true
}
plugins: {
}
transports: {
}
events: {
  broadcast = false
}
loggers: {
}
`,
  );
  writeFileSync(join(dir, "janus.plugin.videoroom.jcfg"), "general: {\n}\n");
  writeFileSync(
    join(dir, "janus.transport.http.jcfg"),
    `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${PORT}
  ip = "${net.serverAddress}"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
`,
  );
  return main;
}

/** Starts Janus with a generated configuration in the server namespace. */
export async function startJanus(net: TestNetwork): Promise<ServerUnderTest> {
  ensureJanus();
  const dir = mkdtempSync(join(tmpdir(), "plenum-bench-janus-"));
  const config = writeConfig(dir, net);
  const child: ChildProcess = net.spawn("server", JANUS, ["-C", config, "-F", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = new LineReader(child);
  if (process.env.BENCH_DEBUG) lines.onLine((l) => console.error(`janus: ${l}`));
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      child.kill("SIGINT");
      await exited(child, 10_000);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  // Janus says nothing at warning level once its HTTP transport is up: the load
  // generator polls /janus/info from the client side instead (loadgen/worker.ts).
  // Here we only catch a configuration Janus refuses at once.
  const early = await Promise.race([
    new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))),
    new Promise<undefined>((resolve) => setTimeout(resolve, 500)),
  ]);
  if (early !== undefined) {
    await stop();
    throw new Error(`Janus exited (${early}) at start; last output:\n${lines.tail.join("\n")}`);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error("Janus has no pid");
  return {
    kind: "janus",
    baseUrl: `http://${net.serverAddress}:${PORT}`,
    pid,
    version: janusVersion(),
    stop,
  };
}
