/**
 * A quick look at what media workers change (not the bench harness, which
 * lives in bench/): the server as its own process with 1 or 2 media workers,
 * a load process with R rooms of one publisher and K subscribers (werift
 * clients on loopback), and, over a fixed window: forwarded packets per
 * second as the subscribers count them, the server's CPU (total and its
 * busiest threads) and CPU microseconds per forwarded packet.
 *
 *   node --import tsx scripts/media-workers-capacity.ts [rooms] [subscribers] [extraVideoSources] [seconds]
 *
 * The load process is on the same cores as the server: on a 2-core machine
 * this shows how the work spreads over threads, not the ceiling of 2 cores.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { MediaStreamTrack } from "werift";
import { startServerProcess } from "../test/support/process";
import { createRoom } from "../test/support/server";
import { SyntheticSource } from "../test/support/synthetic-media";
import { waitFor } from "../test/support/wait";
import { WeriftClient } from "../test/support/werift-client";

const [mode = "run", ...args] = process.argv.slice(2);
const TICKS = 100; // per second, /proc/*/stat

/** CPU seconds of every thread of `pid`, by thread id. */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // the thread ended
    }
  }
  return out;
}

async function load(url: string, rooms: number, subscribers: number, extra: number): Promise<void> {
  const clients: WeriftClient[] = [];
  const counted: Array<{ sub: WeriftClient; pub: string }> = [];
  const extras: SyntheticSource[] = [];
  for (let r = 0; r < rooms; r++) {
    const room = (await createRoom(url, { lobby: false })).id;
    const pub = await WeriftClient.connect(url, `P${r}`);
    clients.push(pub);
    await pub.join(room);
    await pub.publish();
    // More video packets on the same track: the sender renumbers them, the SFU forwards them all.
    const sender = pub.connections.upstream
      ?.getTransceivers()
      .find((t) => t.kind === "video")?.sender;
    const track = sender?.track as MediaStreamTrack | undefined;
    if (!track) throw new Error("no video track");
    for (let e = 0; e < extra; e++) extras.push(new SyntheticSource(track, "video", `P${r}/video`));
    for (let s = 0; s < subscribers; s++) {
      const sub = await WeriftClient.connect(url, `S${r}-${s}`);
      clients.push(sub);
      await sub.join(room);
      counted.push({ sub, pub: pub.id });
    }
  }
  const received = () =>
    counted.reduce(
      (n, { sub, pub }) => n + sub.packetsFrom(pub, "audio") + sub.packetsFrom(pub, "video"),
      0,
    );
  // On a loaded box a subscriber may fail to connect: measure with those that did (reported).
  const isReceiving = ({ sub, pub }: { sub: WeriftClient; pub: string }) =>
    sub.packetsFrom(pub, "video") > 30;
  await waitFor("every subscriber receiving", () => counted.every(isReceiving), {
    timeoutMs: 60_000,
  }).catch(() => undefined);
  process.stdout.write(`RECEIVING ${counted.filter(isReceiving).length}\n`);
  process.stdout.write("READY\n");
  const timer = setInterval(() => process.stdout.write(`${received()}\n`), 250);
  process.stdin.once("data", async () => {
    clearInterval(timer);
    for (const e of extras) e.stop();
    await Promise.allSettled(clients.map((c) => c.close()));
    process.exit(0);
  });
}

async function measure(
  workers: number,
  rooms: number,
  subs: number,
  extra: number,
  seconds: number,
) {
  const server = await startServerProcess({
    PLENUM_MEDIA_WORKERS: String(workers),
    PLENUM_LOG_LEVEL: "warn",
    PLENUM_JOIN_BURST: "100000",
    PLENUM_MAX_CONNECTIONS_PER_ADDRESS: "1000000",
  });
  // The server runs under `node --import tsx`: the process to read is the child itself.
  const pid = server.child.pid ?? 0;
  const loader = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      import.meta.filename,
      "load",
      server.url,
      String(rooms),
      String(subs),
      String(extra),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let last = 0;
  let ready = false;
  let receiving = 0;
  const lines = createInterface({ input: loader.stdout });
  lines.on("line", (line) => {
    if (line === "READY") ready = true;
    else if (line.startsWith("RECEIVING ")) receiving = Number(line.slice(10));
    else last = Number(line);
  });
  try {
    await waitFor("the load to be ready", () => ready, { timeoutMs: 180_000 });
    await waitFor("first count", () => last > 0);
    const t0 = performance.now();
    const cpu0 = threadCpu(pid);
    const rx0 = last;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu1 = threadCpu(pid);
    const rx1 = last;
    const elapsed = (performance.now() - t0) / 1000;
    const perThread = [...cpu1]
      .map(([tid, s]) => ({ tid, main: tid === pid, cpu: (s - (cpu0.get(tid) ?? 0)) / elapsed }))
      .sort((a, b) => b.cpu - a.cpu);
    const total = perThread.reduce((n, t) => n + t.cpu, 0);
    const pps = (rx1 - rx0) / elapsed;
    return {
      workers,
      rooms,
      subscribers: subs,
      subscribersReceiving: receiving,
      offeredPerSecond: rooms * subs * (50 + 30 * (1 + extra)),
      forwardedPerSecond: Math.round(pps),
      serverCpu: Number(total.toFixed(2)),
      mainThreadCpu: Number((perThread.find((t) => t.main)?.cpu ?? 0).toFixed(2)),
      busiestThreads: perThread.slice(0, 4).map((t) => Number(t.cpu.toFixed(2))),
      cpuMicrosecondsPerPacket: Number(((total * 1e6) / pps).toFixed(1)),
      loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
    };
  } finally {
    loader.stdin.write("stop\n");
    await new Promise((r) => loader.once("exit", r));
    await server.close();
  }
}

if (mode === "load") {
  const [url = "", rooms = "4", subs = "6", extra = "10"] = args;
  await load(url, Number(rooms), Number(subs), Number(extra));
} else {
  const [rooms = "4", subs = "6", extra = "10", seconds = "15"] = [mode, ...args].filter((a) =>
    /^\d+$/.test(a),
  );
  for (const workers of [1, 2, 1, 2]) {
    const result = await measure(
      workers,
      Number(rooms),
      Number(subs),
      Number(extra),
      Number(seconds),
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
