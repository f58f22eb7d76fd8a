import { Counter, Gauge } from "prom-client";
import { processRegistry } from "../observability/metrics";

/**
 * The media layer's counters for /metrics. The engine increments them where
 * packets pass; `worker` names the media worker thread that did the work
 * ("main" while media runs in the main thread). Counts only: nothing here
 * identifies a room or a person.
 */
const labelNames = ["worker", "kind"] as const;
const registers = [processRegistry];

const forwardedPackets = new Counter({
  name: "plenum_forwarded_packets_total",
  help: "RTP packets sent to subscribers",
  labelNames,
  registers,
});
const forwardedBytes = new Counter({
  name: "plenum_forwarded_bytes_total",
  help: "RTP payload and header bytes sent to subscribers",
  labelNames,
  registers,
});
const lostPackets = new Counter({
  name: "plenum_lost_packets_total",
  help: "RTP packets missing from what publishers sent (sequence number gaps)",
  labelNames,
  registers,
});
const nacks = new Counter({
  name: "plenum_nacks_total",
  help: "Packets subscribers asked to be retransmitted (generic NACK)",
  labelNames,
  registers,
});
const layerSwitches = new Counter({
  name: "plenum_layer_switches_total",
  help: "Simulcast layer changes made for a subscriber",
  labelNames: ["worker", "direction"] as const,
  registers,
});
const workerCpu = new Gauge({
  name: "plenum_media_worker_busy_seconds",
  help: "Time a media worker thread spent running rather than waiting (event-loop utilisation): its use of a CPU core",
  labelNames: ["worker"] as const,
  registers,
});

export const MAIN = "main";
export type Kind = "audio" | "video";

/**
 * What a media worker counted since it last reported: the worker's own
 * prom-client registry is not the one /metrics serves, so the counts cross
 * to the main thread as plain numbers (see `takeTally`, `applyTally`).
 */
export interface Tally {
  forwarded: Record<Kind, { packets: number; bytes: number }>;
  lost: Record<Kind, number>;
  nacked: Record<Kind, number>;
  switched: { up: number; down: number };
}

function emptyTally(): Tally {
  return {
    forwarded: { audio: { packets: 0, bytes: 0 }, video: { packets: 0, bytes: 0 } },
    lost: { audio: 0, video: 0 },
    nacked: { audio: 0, video: 0 },
    switched: { up: 0, down: 0 },
  };
}

/** Set in a media worker: counts go here instead of to the (unserved) registry. */
let tally: Tally | undefined;

/** In a media worker thread: count into a tally that `takeTally` hands over. */
export function countInTally(): void {
  tally ??= emptyTally();
}

/** The counts since the last call (undefined if nothing happened), and a fresh tally. */
export function takeTally(): Tally | undefined {
  const t = tally;
  if (!t) return undefined;
  tally = emptyTally();
  const any =
    t.forwarded.audio.packets +
      t.forwarded.video.packets +
      t.lost.audio +
      t.lost.video +
      t.nacked.audio +
      t.nacked.video +
      t.switched.up +
      t.switched.down >
    0;
  return any ? t : undefined;
}

/** In the main thread: a worker's report, added to the served counters under its name. */
export function applyTally(t: Tally, worker: string): void {
  for (const kind of ["audio", "video"] as const) {
    forwardedPackets.inc({ worker, kind }, t.forwarded[kind].packets);
    forwardedBytes.inc({ worker, kind }, t.forwarded[kind].bytes);
    lostPackets.inc({ worker, kind }, t.lost[kind]);
    nacks.inc({ worker, kind }, t.nacked[kind]);
  }
  layerSwitches.inc({ worker, direction: "up" }, t.switched.up);
  layerSwitches.inc({ worker, direction: "down" }, t.switched.down);
}

export const mediaMetrics = {
  forwarded(kind: Kind, bytes: number, worker = MAIN): void {
    if (tally) {
      tally.forwarded[kind].packets++;
      tally.forwarded[kind].bytes += bytes;
      return;
    }
    forwardedPackets.inc({ worker, kind });
    forwardedBytes.inc({ worker, kind }, bytes);
  },
  lost(kind: Kind, packets: number, worker = MAIN): void {
    if (tally) tally.lost[kind] += packets;
    else lostPackets.inc({ worker, kind }, packets);
  },
  nacked(kind: Kind, packets: number, worker = MAIN): void {
    if (tally) tally.nacked[kind] += packets;
    else nacks.inc({ worker, kind }, packets);
  },
  layerSwitched(direction: "up" | "down", worker = MAIN): void {
    if (tally) tally.switched[direction]++;
    else layerSwitches.inc({ worker, direction });
  },
  /** A worker thread's busy seconds (event-loop utilisation: time spent running, not waiting). */
  workerCpu(worker: string, seconds: number): void {
    workerCpu.set({ worker }, seconds);
  },
};
