import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Test networks in namespaces the test makes itself (DEVELOPERS: never any
 * address outside them). One veth pair joins a "server" side and a "client"
 * side, addressed from the benchmarking range 198.18.0.0/15, with no default
 * route, so nothing on either side can reach the outside world. The server
 * side is either the test's own (root) namespace, so an in-process server
 * can listen on it, or a namespace of its own (Janus, the benchmark).
 *
 * What leaves either end of the veth can be shaped: random loss (an nftables
 * `numgen random` drop rule), a rate cap (`tc tbf`), or the link taken down
 * altogether. This machine's kernel has no `sch_netem` (tc answers "Specified
 * qdisc kind is unknown"), so delay and jitter are not offered here: a test
 * that needs them puts the userspace relay of udp-relay.ts in the path.
 */
export interface Impairment {
  /** Percentage of packets dropped at random, 0–100 (in steps of 0.1). */
  lossPercent?: number;
  /** A rate cap in kbit/s; what exceeds it queues (up to 50 ms), then drops. */
  rateKbit?: number;
}

export type Side = "server" | "client";

export interface TestNetwork {
  /** The server side's address, e.g. 198.18.3.1. */
  readonly serverAddress: string;
  /** The client side's address, e.g. 198.18.3.2. */
  readonly clientAddress: string;
  /** The namespace of the client side. */
  readonly clientNamespace: string;
  /** The veth device of the server side (for servers that pick interfaces by name, like Janus). */
  readonly serverDevice: string;
  /** The veth device of the client side. */
  readonly clientDevice: string;
  /** The namespace of the server side; undefined when it is the test's own. */
  readonly serverNamespace: string | undefined;
  /** Shapes what leaves `side` (replaces any earlier impairment of that side). */
  impair(side: Side, impairment: Impairment): void;
  /** Removes the impairment of `side` (or of both). */
  clear(side?: Side): void;
  /** Takes the link down (both directions drop everything) or up again. */
  setLinkUp(up: boolean): void;
  /**
   * Adds another address to the client side, on its loopback, and returns it:
   * for a service beside the client (the impairing UDP relay, udp-relay-process.ts)
   * that nothing outside the client namespace can reach. It goes with the namespace.
   */
  addClientAddress(): string;
  /**
   * Adds another address to the client side's end of the veth, routed from the
   * server side, and returns it: a second computer behind the same link, so
   * the server sees a second source address. It goes with the namespace.
   */
  addClientSource(): string;
  /** Starts a process on `side`. */
  spawn(side: Side, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** A Chromium launcher script that runs the browser on the client side (for playwright's executablePath). */
  chromiumExecutable(chromium?: string): string;
  /** Idempotent: deletes the namespaces (and with them the veth pair) and the launcher scripts. */
  close(): void;
}

let made = 0;

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function requireRoot(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "This test builds its own network namespaces (ip netns, veth, tc, nftables) and needs root. Run npm test as root.",
    );
  }
}

/** Picks a /30 in 198.18.0.0/15 no interface on this machine uses yet. */
function freeSubnet(): number {
  const used = execFileSync("ip", ["-o", "-4", "addr"], { encoding: "utf8" });
  for (let tries = 0; tries < 100; tries++) {
    const n = Math.floor(Math.random() * 32768);
    const base = (198 << 24) + (18 << 16) + n * 4;
    const probe = `${(base >>> 24) & 255}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.`;
    if (!used.includes(`${probe}${(base & 255) + 1}/`)) return base;
  }
  throw new Error("no free subnet in 198.18.0.0/15");
}

function dotted(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}

export function createTestNetwork(options: { serverNamespace?: boolean } = {}): TestNetwork {
  requireRoot();
  const tag = `pl${process.pid % 100000}x${made++}`;
  const clientNs = `${tag}c`;
  const serverNs = options.serverNamespace ? `${tag}s` : undefined;
  const serverIf = `${tag}s`;
  const clientIf = `${tag}c`;
  const base = freeSubnet();
  const serverAddress = dotted(base + 1);
  const clientAddress = dotted(base + 2);
  const scripts = mkdtempSync(join(tmpdir(), "plenum-netns-"));
  let closed = false;

  const inNs = (ns: string | undefined, args: string[]) =>
    ns ? ip(["netns", "exec", ns, "ip", ...args]) : ip(args);
  const sideOf = (side: Side) =>
    side === "client" ? { ns: clientNs, dev: clientIf } : { ns: serverNs, dev: serverIf };
  const run = (ns: string | undefined, command: string, args: string[]) => {
    if (ns) execFileSync("ip", ["netns", "exec", ns, command, ...args], { stdio: "ignore" });
    else execFileSync(command, args, { stdio: "ignore" });
  };
  // One nftables table per end, named after its device, so clearing one end never touches another test's rules.
  const table = (side: Side) => `plenum_${sideOf(side).dev}`;
  const clearSide = (side: Side) => {
    const { ns, dev } = sideOf(side);
    for (const [command, args] of [
      ["tc", ["qdisc", "del", "dev", dev, "root"]],
      ["nft", ["delete", "table", "inet", table(side)]],
    ] as const) {
      try {
        run(ns, command, [...args]);
      } catch {
        // Nothing of that kind was set.
      }
    }
  };

  const close = () => {
    if (closed) return;
    closed = true;
    // The server end may be in the test's own namespace: its rules do not go with a namespace.
    if (!serverNs) clearSide("server");
    for (const ns of [clientNs, serverNs]) {
      if (!ns) continue;
      try {
        ip(["netns", "del", ns]);
      } catch {
        // Already gone.
      }
    }
    try {
      // In the root namespace, the server end outlives the client namespace only briefly.
      if (!serverNs) ip(["link", "del", serverIf]);
    } catch {
      // Deleting the namespace took the pair with it.
    }
    rmSync(scripts, { recursive: true, force: true });
  };

  try {
    ip(["netns", "add", clientNs]);
    if (serverNs) ip(["netns", "add", serverNs]);
    ip(["link", "add", serverIf, "type", "veth", "peer", "name", clientIf]);
    ip(["link", "set", clientIf, "netns", clientNs]);
    if (serverNs) ip(["link", "set", serverIf, "netns", serverNs]);
    inNs(clientNs, ["link", "set", "lo", "up"]);
    if (serverNs) inNs(serverNs, ["link", "set", "lo", "up"]);
    inNs(clientNs, ["addr", "add", `${clientAddress}/30`, "dev", clientIf]);
    inNs(serverNs, ["addr", "add", `${serverAddress}/30`, "dev", serverIf]);
    inNs(clientNs, ["link", "set", clientIf, "up"]);
    inNs(serverNs, ["link", "set", serverIf, "up"]);
  } catch (err) {
    close();
    throw new Error(`could not build the test network: ${(err as Error).message}`);
  }

  return {
    serverAddress,
    clientAddress,
    clientNamespace: clientNs,
    serverNamespace: serverNs,
    serverDevice: serverIf,
    clientDevice: clientIf,
    impair(side, impairment) {
      clearSide(side);
      const { ns, dev } = sideOf(side);
      if (impairment.rateKbit !== undefined) {
        run(ns, "tc", [
          "qdisc",
          "add",
          "dev",
          dev,
          "root",
          "tbf",
          "rate",
          `${impairment.rateKbit}kbit`,
          "burst",
          "4kb",
          "latency",
          "50ms",
        ]);
      }
      if (impairment.lossPercent) {
        const t = table(side);
        const perMille = Math.round(impairment.lossPercent * 10);
        const chance = perMille >= 1000 ? "" : `numgen random mod 1000 lt ${perMille} `;
        // nft takes one script; the output hook sees everything this end sends.
        run(ns, "nft", [
          `add table inet ${t}; add chain inet ${t} out { type filter hook output priority 0; }; add rule inet ${t} out oifname ${dev} ${chance}drop`,
        ]);
      }
    },
    clear(side) {
      for (const s of side ? [side] : (["server", "client"] as Side[])) clearSide(s);
    },
    setLinkUp(up) {
      inNs(clientNs, ["link", "set", clientIf, up ? "up" : "down"]);
    },
    addClientAddress() {
      const address = dotted(freeSubnet() + 1);
      inNs(clientNs, ["addr", "add", `${address}/32`, "dev", "lo"]);
      return address;
    },
    addClientSource() {
      const address = dotted(freeSubnet() + 2);
      inNs(clientNs, ["addr", "add", `${address}/32`, "dev", clientIf]);
      // The /30's own route does not cover it: the server side needs a way back.
      inNs(serverNs, ["route", "add", `${address}/32`, "dev", serverIf]);
      return address;
    },
    spawn(side, command, args, spawnOptions = {}) {
      const ns = side === "client" ? clientNs : serverNs;
      return ns
        ? spawn("ip", ["netns", "exec", ns, command, ...args], spawnOptions)
        : spawn(command, args, spawnOptions);
    },
    chromiumExecutable(chromium = "/usr/bin/chromium") {
      const path = join(scripts, "chromium");
      writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${clientNs} ${chromium} "$@"\n`);
      chmodSync(path, 0o755);
      return path;
    },
    close,
  };
}
