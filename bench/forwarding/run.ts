/**
 * Forwarding micro-benchmark: one werift publisher → the SFU engine (its own
 * process, loopback) → K werift subscribers (another process). Measures the
 * SFU process's CPU (user+sys from /proc) per forwarded packet.
 *
 *   npx tsx bench/forwarding/run.ts [--fanouts 1,5,10,20] [--runs 3] [--rate 1000]
 *       [--seconds 8] [--modes 0,1] [--saturate] [--profile dir]
 *
 * `--modes` are values of PLENUM_FASTPATH (0, js, 1) for the SFU process, run alternately
 * so that both see the same machine load. `--saturate` floods at K=10 and
 * reports what was forwarded. `--profile` samples the SFU during each
 * measurement window (inspector CPU profile) into `dir` (see profile.ts).
 */
import { type ChildProcess, execFileSync, fork } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { FromClients, FromServer, ToClients, ToServer } from "./messages";

const { values: args } = parseArgs({
  options: {
    fanouts: { type: "string", default: "1,5,10,20" },
    runs: { type: "string", default: "3" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "8" },
    modes: { type: "string", default: "0,1" },
    "packet-bytes": { type: "string", default: "1200" },
    saturate: { type: "boolean", default: false },
    "saturate-rate": { type: "string", default: "6000" },
    profile: { type: "string" },
  },
});
const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const here = new URL(".", import.meta.url).pathname;

interface Trial {
  mode: string;
  fanout: number;
  rate: number;
  seconds: number;
  cpuCores: number;
  usPerPacket: number;
  /** Of which in the kernel (mostly sendmsg and the loopback delivery it triggers). */
  sysUsPerPacket: number;
  forwardedPerSecond: number;
  loss: number;
  /**
   * Datagrams the kernel dropped on full loopback receive buffers (all
   * sockets, /proc/net/udp): loss that is the starved receivers', not the SFU's.
   */
  udpDropsPerSecond: number;
}

function loopbackUdpDrops(): number {
  let drops = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.startsWith("0100007F:")) drops += Number(fields[12] ?? 0);
  }
  return drops;
}

/** User and system CPU seconds of a process so far. */
function cpuSeconds(pid: number): { user: number; sys: number } {
  // Fields 14 and 15 (utime, stime) after the parenthesised command name.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / CLK_TCK, sys: Number(fields[12]) / CLK_TCK };
}

function child(script: string, env: NodeJS.ProcessEnv, execArgv: string[] = []): ChildProcess {
  return fork(`${here}${script}`, [], {
    execArgv: ["--import", "tsx", ...execArgv],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => p.once("exit", () => resolve()));
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function trial(mode: string, fanout: number, rate: number, seconds: number): Promise<Trial> {
  const server = child("server.ts", { PLENUM_FASTPATH: mode });
  let profiled = false;
  const pub = child("clients.ts", {});
  const subs = child("clients.ts", {});
  const all = [server, pub, subs];
  const failures: string[] = [];
  let sentCount: number | undefined;
  let receivedCounts: number[] | undefined;
  const ready = new Set<ChildProcess>();
  let published = false;
  const toServer = (m: ToServer) => server.send(m);
  server.on("message", (m: FromServer) => {
    if (m.type === "ready") ready.add(server);
    else if (m.type === "profiled") profiled = true;
    else if (m.type === "answer") {
      published = true;
      pub.send({ type: "answer", label: m.label, sdp: m.sdp } as ToClients);
    } else if (m.type === "offer")
      subs.send({ type: "offer", label: m.label, sdp: m.sdp } as ToClients);
    else failures.push(`${m.label}: ${m.reason}`);
  });
  for (const c of [pub, subs])
    c.on("message", (m: FromClients) => {
      if (m.type === "ready") ready.add(c);
      else if (m.type === "publish" || m.type === "subscribe" || m.type === "answer") toServer(m);
      else if (m.type === "counts") {
        if (c === pub) sentCount = m.sent;
        else receivedCounts = m.received;
      } else failures.push(m.reason);
    });
  const poll = async () => {
    sentCount = undefined;
    receivedCounts = undefined;
    pub.send({ type: "count" } as ToClients);
    subs.send({ type: "count" } as ToClients);
    await waitFor(
      "counts",
      () => (sentCount !== undefined && receivedCounts !== undefined) || failures.length > 0,
      10_000,
    );
    if (failures.length) throw new Error(failures.join("; "));
    const each = receivedCounts ?? [];
    return { sent: sentCount ?? 0, received: each.reduce((a, b) => a + b, 0), each };
  };
  try {
    await waitFor("processes", () => ready.size === 3 || failures.length > 0);
    pub.send({
      type: "start-publisher",
      rate,
      packetBytes: Number(args["packet-bytes"]),
    } as ToClients);
    await waitFor("the publisher's answer", () => published || failures.length > 0);
    subs.send({ type: "start-subscribers", count: fanout } as ToClients);
    await waitFor(
      "every subscriber to receive",
      async () => {
        if (failures.length) throw new Error(failures.join("; "));
        return (await poll()).each.every((n) => n > 0);
      },
      120_000,
    );
    await new Promise((r) => setTimeout(r, 2000)); // warm-up: JIT, NACK/RTCP settle
    if (args.profile) toServer({ type: "profile-start" });
    const d0 = loopbackUdpDrops();
    const c0 = cpuSeconds(server.pid as number);
    const p0 = await poll();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const c1 = cpuSeconds(server.pid as number);
    const d1 = loopbackUdpDrops();
    const p1 = await poll();
    const elapsed = (performance.now() - t0) / 1000;
    if (args.profile) {
      mkdirSync(args.profile, { recursive: true });
      const file = join(args.profile, `sfu-fastpath${mode}-k${fanout}-${Date.now()}.cpuprofile`);
      toServer({ type: "profile-stop", file });
      await waitFor("the profile", () => profiled);
    }
    const forwarded = p1.received - p0.received;
    const offered = (p1.sent - p0.sent) * fanout;
    return {
      mode,
      fanout,
      rate,
      seconds: elapsed,
      cpuCores: (c1.user + c1.sys - c0.user - c0.sys) / elapsed,
      usPerPacket: ((c1.user + c1.sys - c0.user - c0.sys) * 1e6) / forwarded,
      sysUsPerPacket: ((c1.sys - c0.sys) * 1e6) / forwarded,
      forwardedPerSecond: forwarded / elapsed,
      loss: offered > 0 ? Math.max(0, 1 - forwarded / offered) : 1,
      udpDropsPerSecond: (d1 - d0) / elapsed,
    };
  } finally {
    for (const c of all) if (c.connected) c.send({ type: "close" });
    const timer = setTimeout(() => {
      for (const c of all) if (c.exitCode === null) c.kill("SIGKILL");
    }, 10_000);
    await Promise.all(all.map(exited));
    clearTimeout(timer);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const modes = (args.modes as string).split(",");
const runs = Number(args.runs);
const seconds = Number(args.seconds);
const plan: Array<{ fanout: number; rate: number }> = args.saturate
  ? [{ fanout: 10, rate: Number(args["saturate-rate"]) }]
  : (args.fanouts as string)
      .split(",")
      .map((k) => ({ fanout: Number(k), rate: Number(args.rate) }));

console.log(
  `# ${cpus().length}× ${cpus()[0]?.model}, node ${process.version}, ${new Date().toISOString()}`,
);
const results: Trial[] = [];
for (const { fanout, rate } of plan)
  for (let r = 0; r < runs; r++)
    for (const mode of modes) {
      // The shared machine sometimes starves a client past a deadline: one retry, then skip.
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const t = await trial(mode, fanout, rate, seconds);
          results.push(t);
          console.log(JSON.stringify(t));
          break;
        } catch (error) {
          console.error(
            `trial K=${fanout} mode ${mode} failed (attempt ${attempt}): ${(error as Error).message}`,
          );
        }
      }
    }

console.log(
  "\n| K | pkt/s in | PLENUM_FASTPATH | µs CPU / fwd pkt (median) | of which kernel | fwd pkt/s | SFU cores | loss | loopback UDP drops/s | capacity pkt/s per core |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const { fanout, rate } of plan)
  for (const mode of modes) {
    const ts = results.filter((t) => t.fanout === fanout && t.mode === mode && t.rate === rate);
    const us = median(ts.map((t) => t.usPerPacket));
    console.log(
      `| ${fanout} | ${rate} | ${mode} | ${us.toFixed(1)} | ${median(ts.map((t) => t.sysUsPerPacket)).toFixed(1)} | ${median(ts.map((t) => t.forwardedPerSecond)).toFixed(0)} | ${median(ts.map((t) => t.cpuCores)).toFixed(2)} | ${(median(ts.map((t) => t.loss)) * 100).toFixed(2)}% | ${median(ts.map((t) => t.udpDropsPerSecond)).toFixed(0)} | ${(1e6 / us).toFixed(0)} |`,
    );
  }
