import type { TestNetwork } from "../../test/support/netns";
import { merge, newHistogram, quantileMs } from "../loadgen/histogram";
import type { ClientSpec, JoinResult, MediaSettings, ServerKind } from "../loadgen/messages";
import { quantile } from "../stats";
import { startJanus } from "./janus";
import { startPlenum } from "./plenum";
import { cpuSeconds, openFds, rssBytes } from "./proc";
import type { Participant, Step } from "./scenarios";
import type { ServerUnderTest } from "./server";
import { sumVideo, type VideoMetrics, videoMetrics } from "./video";
import { LoadWorker } from "./workers";

export interface StepSettings {
  durationS: number;
  warmupS: number;
  media: MediaSettings;
  seed: number;
  plenumEnv: Record<string, string>;
  /** Load generator processes; 0 = one per 20 clients, at most 4. */
  workers: number;
  /** Percent of what the server sends dropped at random after the joins (nftables), 0 = none. */
  lossPercent?: number;
}

/** What one server did in one step. */
export interface Metrics {
  server: ServerKind;
  participants: number;
  /** Streams the subscribers receive (each publisher's audio and video counted apart). */
  subscribedStreams: number;
  joined: number;
  failed: number;
  /** Joins that needed more than one attempt (a failed connection, retried). */
  retried: number;
  errors: string[];
  windowS: number;
  cpuSecondsPerSecond: number;
  /** The load generator processes' CPU: near 1.0 per process means they, not the server, are the limit. */
  loadgenCpuSecondsPerSecond: number;
  usPerPacket: number;
  packetsPerSecond: number;
  bitsPerSecond: number;
  lossPercent: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  joinP50Ms: number;
  joinP95Ms: number;
  rssMiB: number;
  rssPerParticipantMiB: number;
  rssPerStreamMiB: number;
  eventLoopP99Ms: number | null;
  fds: number;
  /** Soak only: RSS and descriptors when the window started. */
  rssStartMiB?: number;
  fdsStart?: number;
  /** Soak only: how many subscribers left and were replaced during the window. */
  churns?: number;
  /** Video as the subscribers' decoder model saw it (loadgen/freeze.ts); see video.ts. */
  video?: VideoMetrics;
}

const MiB = 1024 * 1024;
/** Clients that join at once in steady-state steps. */
const JOIN_BATCH = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function streamsOf(p: Participant): number {
  return (p.publish.audio ? 1 : 0) + (p.publish.video ? 1 : 0);
}

function subscribedStreams(participants: Participant[]): number {
  let n = 0;
  for (const s of participants.filter((p) => p.subscribe))
    for (const p of participants) if (p !== s && p.room === s.room) n += streamsOf(p);
  return n;
}

/** Cameras the subscribers should receive: each subscriber × each other camera of its room. */
function videoStreams(participants: Participant[]): number {
  let n = 0;
  for (const s of participants.filter((p) => p.subscribe))
    for (const p of participants) if (p !== s && p.room === s.room && p.publish.video) n++;
  return n;
}

/**
 * The client specs of a step, in join phases. Janus can subscribe to a feed
 * only after its `webrtcup`, and its subscriptions are handles of their own,
 * so a participant who publishes and subscribes publishes in phase one and
 * subscribes (a second session, "/sub") in phase two. Plenum subscribes a
 * participant to everything by itself: one connection per participant.
 */
function phases(kind: ServerKind, step: Step): [ClientSpec[], ClientSpec[]] {
  const feedOf = new Map(step.participants.map((p, i) => [p.name, i + 1]));
  const isPublisher = (p: Participant) => p.publish.audio || p.publish.video;
  const feedsFor = (p: Participant) =>
    step.participants
      .filter((o) => o !== p && o.room === p.room && isPublisher(o))
      .map((o) => feedOf.get(o.name) ?? 0);
  const first: ClientSpec[] = [];
  const second: ClientSpec[] = [];
  const subscribers = step.participants.filter((p) => !isPublisher(p));
  for (const p of step.participants.filter(isPublisher)) {
    if (kind === "plenum") first.push({ ...p });
    else {
      first.push({ ...p, subscribe: false, feed: feedOf.get(p.name) ?? 0 });
      if (p.subscribe)
        second.push({
          name: `${p.name}/sub`,
          room: p.room,
          publish: p.publish,
          subscribe: true,
          ...(p.tile ? { tile: p.tile } : {}),
        });
    }
  }
  for (const s of second) {
    s.publish = { audio: false, video: false };
    const owner = step.participants.find((p) => `${p.name}/sub` === s.name);
    if (owner) s.feeds = feedsFor(owner);
  }
  subscribers.forEach((p, i) => {
    second.push({
      ...p,
      ...(kind === "janus" ? { feeds: feedsFor(p) } : {}),
      ...(step.burstMs
        ? { startAfterMs: Math.round((i * step.burstMs) / subscribers.length) }
        : {}),
    });
  });
  return [first, second];
}

/** Runs one step against one server: start it, load it, measure a window, tear everything down. */
export async function runStep(
  net: TestNetwork,
  kind: ServerKind,
  step: Step,
  settings: StepSettings,
  track: (close: () => Promise<void>) => () => void,
): Promise<Metrics> {
  const server: ServerUnderTest =
    kind === "plenum" ? await startPlenum(net, settings.plenumEnv) : await startJanus(net);
  const untrackServer = track(() => server.stop());
  const clients = step.participants.length;
  const workerCount =
    settings.workers > 0 ? settings.workers : Math.min(4, Math.max(1, Math.ceil(clients / 20)));
  const workers = Array.from({ length: workerCount }, () => LoadWorker.start(net));
  const untrackWorkers = track(async () => {
    await Promise.allSettled(workers.map((w) => w.close()));
  });
  try {
    await Promise.all(
      workers.map((w) =>
        w.request(
          {
            type: "init",
            server: kind,
            baseUrl: server.baseUrl,
            clientAddress: net.clientAddress,
            media: settings.media,
            seed: settings.seed,
          },
          "ready",
          60_000,
        ),
      ),
    );
    const [leader] = workers;
    if (!leader) throw new Error("no load generator");
    const { ids } = await leader.request(
      { type: "create-rooms", count: step.rooms },
      "rooms",
      60_000,
    );
    for (const w of workers) w.send({ type: "rooms", ids });

    const owner = new Map<string, LoadWorker>();
    let next = 0;
    // Steady-state steps join in batches: werift clients give up ICE after
    // about 1.5 s without an answer to their nomination (a browser waits far
    // longer), so a burst that stalls a server would spoil the measurement of
    // forwarding. The join-burst scenario (e) joins everyone at its own pace.
    const joinAll = async (specs: ClientSpec[]): Promise<JoinResult[]> => {
      const batch = step.burstMs ? specs.length : JOIN_BATCH;
      const out: JoinResult[] = [];
      for (let i = 0; i < specs.length; i += batch)
        out.push(...(await joinBatch(specs.slice(i, i + batch))));
      return out;
    };
    const joinBatch = async (specs: ClientSpec[]): Promise<JoinResult[]> => {
      const byWorker = new Map<LoadWorker, ClientSpec[]>();
      for (const spec of specs) {
        const w = workers[next++ % workers.length] as LoadWorker;
        owner.set(spec.name, w);
        byWorker.set(w, [...(byWorker.get(w) ?? []), spec]);
      }
      const replies = await Promise.all(
        [...byWorker].map(([w, list]) =>
          w.request({ type: "join", clients: list }, "joined", 400_000),
        ),
      );
      return replies.flatMap((r) => r.results);
    };
    const [first, second] = phases(kind, step);
    const published = await joinAll(first);
    if (published.length > 0 && published.every((r) => !r.ok))
      throw new Error(`${kind}: no publisher could join: ${published[0]?.error ?? "?"}`);
    const results = [...published, ...(await joinAll(second))];
    const pureSubscribers = new Set(
      step.participants.filter((p) => !p.publish.audio && !p.publish.video).map((p) => p.name),
    );
    const joinTimes = results
      .filter((r) => r.ok && r.joinMs !== undefined && pureSubscribers.has(r.name))
      .map((r) => r.joinMs as number);
    const failures = results.filter((r) => !r.ok);

    // Loss only once everyone is in: it is the media under loss that is measured, not joining.
    if (settings.lossPercent) net.impair("server", { lossPercent: settings.lossPercent });
    await sleep(settings.warmupS * 1000);
    server.eventLoop?.reset();
    await Promise.all(
      workers.map((w) => w.request({ type: "window-start" }, "window-started", 30_000)),
    );
    const rssStart = rssBytes(server.pid);
    const fdsStart = openFds(server.pid);
    const cpu0 = cpuSeconds(server.pid);
    const loadgenCpu = () => workers.reduce((sum, w) => sum + (w.pid ? cpuSeconds(w.pid) : 0), 0);
    const loadgen0 = loadgenCpu();
    const t0 = performance.now();

    let churns = 0;
    if (step.churnEveryMs) {
      // Soak: the oldest subscriber leaves, a new one joins in its place, until the window ends.
      const queue = second.filter((s) => pureSubscribers.has(s.name)).map((s) => s.name);
      while (performance.now() - t0 < settings.durationS * 1000) {
        await sleep(step.churnEveryMs);
        const leaving = queue.shift();
        const template = second.find((s) => s.name === leaving) ?? second[0];
        if (!leaving || !template) break;
        await owner.get(leaving)?.request({ type: "leave", names: [leaving] }, "left", 60_000);
        const spec: ClientSpec = { ...template, name: `churn${churns++}` };
        delete spec.startAfterMs;
        const [result] = await joinAll([spec]);
        if (result && !result.ok) failures.push(result);
        if (result?.ok && result.joinMs !== undefined) joinTimes.push(result.joinMs);
        queue.push(spec.name);
      }
    } else {
      await sleep(settings.durationS * 1000);
    }

    const cpu1 = cpuSeconds(server.pid);
    const loadgen1 = loadgenCpu();
    const windowS = (performance.now() - t0) / 1000;
    const stats = await Promise.all(
      workers.map((w) => w.request({ type: "window-end" }, "window", 60_000)),
    );
    const eventLoopP99Ms = server.eventLoop ? await server.eventLoop.report() : null;
    const rss = rssBytes(server.pid);
    const fds = openFds(server.pid);

    if (settings.lossPercent) net.clear("server");
    const latency = newHistogram();
    let packets = 0;
    let bytes = 0;
    const bySeq = { audio: 0, video: 0 };
    let videoPackets = 0;
    const sent = new Map<string, { audio: number; video: number }>();
    for (const { stats: s } of stats) {
      packets += s.packets;
      bytes += s.bytes;
      bySeq.audio += s.byKind.audio.expected;
      bySeq.video += s.byKind.video.expected;
      videoPackets += s.byKind.video.packets;
      merge(latency, s.latency);
      for (const [name, n] of Object.entries(s.sent)) sent.set(name, n);
    }
    // Expected: what the publishers sent in the window, once per subscriber in
    // their room. With subscribers coming and going (soak) that is not known,
    // and the sequence gaps the receivers saw stand in for it; so too for
    // simulcast video, of which a subscriber gets one layer, switching now and
    // then (the sequence numbers count per layer: media.ts).
    const bySent = { audio: 0, video: 0 };
    for (const sub of step.participants.filter((p) => p.subscribe))
      for (const pub of step.participants)
        if (pub !== sub && pub.room === sub.room) {
          const n = sent.get(pub.name) ?? { audio: 0, video: 0 };
          if (pub.publish.audio) bySent.audio += n.audio;
          if (pub.publish.video) bySent.video += n.video;
        }
    const videoExpected =
      step.churnEveryMs || settings.media.videoLayers > 1 ? bySeq.video : bySent.video;
    const expected = (step.churnEveryMs ? bySeq.audio : bySent.audio) + videoExpected;
    const hasVideo = step.participants.some((p) => p.publish.video);
    const cpuPerSecond = (cpu1 - cpu0) / windowS;
    const streams = subscribedStreams(step.participants);
    return {
      server: kind,
      participants: clients,
      subscribedStreams: streams,
      joined: results.length - failures.length,
      failed: failures.length,
      retried: results.filter((r) => (r.attempts ?? 1) > 1).length,
      errors: [...new Set(failures.map((f) => f.error ?? "?"))].slice(0, 5),
      windowS,
      cpuSecondsPerSecond: cpuPerSecond,
      loadgenCpuSecondsPerSecond: (loadgen1 - loadgen0) / windowS,
      usPerPacket: packets > 0 ? ((cpu1 - cpu0) * 1e6) / packets : Number.NaN,
      packetsPerSecond: packets / windowS,
      bitsPerSecond: (bytes * 8) / windowS,
      lossPercent: expected > 0 ? (100 * (expected - Math.min(packets, expected))) / expected : 100,
      latencyP50Ms: quantileMs(latency, 0.5),
      latencyP99Ms: quantileMs(latency, 0.99),
      joinP50Ms: joinTimes.length ? quantile(joinTimes, 0.5) : Number.NaN,
      joinP95Ms: joinTimes.length ? quantile(joinTimes, 0.95) : Number.NaN,
      rssMiB: rss / MiB,
      rssPerParticipantMiB: rss / MiB / clients,
      rssPerStreamMiB: streams > 0 ? rss / MiB / streams : Number.NaN,
      eventLoopP99Ms,
      fds,
      ...(step.churnEveryMs ? { rssStartMiB: rssStart / MiB, fdsStart, churns } : {}),
      ...(hasVideo
        ? {
            video: videoMetrics(
              sumVideo(stats.map((s) => s.stats.video)),
              windowS,
              videoStreams(step.participants),
              { packets: videoPackets, expected: videoExpected },
            ),
          }
        : {}),
    };
  } finally {
    if (settings.lossPercent) net.clear("server");
    await Promise.allSettled(workers.map((w) => w.close()));
    untrackWorkers();
    await server.stop();
    untrackServer();
  }
}
