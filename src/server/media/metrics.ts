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
  name: "plenum_media_worker_cpu_seconds",
  help: "CPU time a media worker has used (user + system)",
  labelNames: ["worker"] as const,
  registers,
  collect() {
    // Media runs in the main thread until there are workers; they report their own.
    const { user, system } = process.cpuUsage();
    this.set({ worker: MAIN }, (user + system) / 1e6);
  },
});

export const MAIN = "main";
export type Kind = "audio" | "video";

export const mediaMetrics = {
  forwarded(kind: Kind, bytes: number, worker = MAIN): void {
    forwardedPackets.inc({ worker, kind });
    forwardedBytes.inc({ worker, kind }, bytes);
  },
  lost(kind: Kind, packets: number, worker = MAIN): void {
    lostPackets.inc({ worker, kind }, packets);
  },
  nacked(kind: Kind, packets: number, worker = MAIN): void {
    nacks.inc({ worker, kind }, packets);
  },
  layerSwitched(direction: "up" | "down", worker = MAIN): void {
    layerSwitches.inc({ worker, direction });
  },
  /** A worker thread's total CPU seconds, as it measured them (`process.cpuUsage()` there). */
  workerCpu(worker: string, seconds: number): void {
    workerCpu.set({ worker }, seconds);
  },
};
