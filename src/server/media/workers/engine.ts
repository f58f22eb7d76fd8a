import type { Logger } from "pino";
import { scrubAddresses } from "../../observability/log";
import { loadNativeMedia } from "../native";
import type { MediaEngine, MediaPeer, PeerEvents } from "../types";
import type { WeriftOptions } from "../werift/config";
import { splitPorts } from "./ports";
import { WorkerSlot } from "./slot";

export interface WorkerEngineOptions extends WeriftOptions {
  /** How many worker threads; rooms are spread over them. */
  workers: number;
}

export interface WorkerEngineHooks {
  log: Logger;
  /** Outgoing connections seen inside a worker (COMPLIANCE L1, L3): the server's EgressMonitor. */
  egress?: (host: string) => void;
  /** The worker's module; tests run one that also does what a worker must be watched for. */
  workerEntry?: URL;
}

/**
 * The SFU spread over worker threads, one werift engine in each: all peers of
 * a room live in one worker (they forward to each other), a new room goes to
 * the least-loaded one. A worker that dies takes only its rooms with it: their
 * peers are reported lost (the sessions close with 1012 and the clients come
 * back), and a replacement thread starts. Workers start on first use (the
 * first one at start-up, `warm`).
 */
export class WorkerEngine implements MediaEngine {
  private readonly slots: (WorkerSlot | undefined)[];
  private readonly ports: ([number, number] | undefined)[];
  private nextPeer = 1;
  private closing: Promise<void> | undefined;
  private egress: ((host: string) => void) | undefined;
  private readonly egressBefore: string[] = [];

  constructor(
    private readonly options: WorkerEngineOptions,
    private readonly hooks: WorkerEngineHooks,
  ) {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new RangeError(`media workers must be a positive integer, not ${options.workers}`);
    this.egress = hooks.egress;
    this.ports = splitPorts(options.portRange, options.workers);
    this.slots = Array.from({ length: options.workers }, () => undefined);
  }

  createPeer(label: string, events: PeerEvents, group: string): MediaPeer {
    if (this.closing) throw new Error("media engine is closed");
    return this.place(group).createPeer(this.nextPeer++, label, events, group);
  }

  /**
   * Starts the first worker thread now instead of on first use. Loading
   * werift in a new thread takes a second on an idle host and several on a
   * busy one; `plenum serve` calls this first thing, so that the meeting
   * everyone reconnects to after a restart does not wait for it. The others
   * still start when a room needs them: loading one beside the first would
   * take CPU from the reconnecting meetings' handshakes on a small host.
   */
  warm(): void {
    if (this.closing || this.slots.some((s) => s?.isRunning)) return;
    this.start(0);
  }

  /**
   * Where outgoing connections seen in the workers go (COMPLIANCE L1, L3);
   * for an engine started before the server's egress monitor exists. What
   * was seen before is handed over at once.
   */
  reportEgressTo(record: (host: string) => void): void {
    this.egress = record;
    for (const host of this.egressBefore.splice(0)) record(host);
  }

  /** Open peers on every worker; for metrics and leak checks in tests. */
  get peerCount(): number {
    return this.running().reduce((n, s) => n + s.peerCount, 0);
  }

  /** Worker threads started and not stopped. */
  get workerCount(): number {
    return this.running().length;
  }

  /** Idempotent; ends every worker thread (and with it every peer) and resolves once all are gone. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.slots.map((s) => s?.terminate())).then(() => undefined);
    return this.closing;
  }

  /**
   * For tests only, never reachable from a client: where a room is, and a way
   * to crash its worker as a bug would.
   */
  readonly testing = {
    workerOf: (room: string): number | undefined =>
      this.running().find((s) => s.hasRoom(room))?.index,
    threadIds: (): number[] => this.running().map((s) => s.threadId),
    /** Whether each running worker has loaded and listens. */
    ready: (): boolean[] => this.running().map((s) => s.isReady),
    crash: (room: string): void => {
      const slot = this.running().find((s) => s.hasRoom(room));
      if (!slot) throw new Error("no media worker holds that room");
      slot.crash();
    },
  };

  private running(): WorkerSlot[] {
    return this.slots.filter((s): s is WorkerSlot => s?.isRunning === true);
  }

  /**
   * The room's worker, or the least-loaded one (peers, then rooms, then one
   * that is ready before one still loading), started if need be.
   */
  private place(room: string): WorkerSlot {
    const home = this.running().find((s) => s.hasRoom(room));
    if (home) return home;
    let best = 0;
    let bestLoad = [Number.POSITIVE_INFINITY];
    for (const [i, slot] of this.slots.entries()) {
      const running = slot?.isRunning === true;
      const load = [
        running ? slot.peerCount : 0,
        running ? slot.roomCount : 0,
        running && slot.isReady ? 0 : 1,
      ];
      if (lessThan(load, bestLoad)) {
        best = i;
        bestLoad = load;
      }
    }
    const slot = this.slots[best];
    return slot?.isRunning ? slot : this.start(best);
  }

  private start(index: number): WorkerSlot {
    const slot = new WorkerSlot(
      index,
      { ...this.options, portRange: this.ports[index] },
      {
        died: (dead, reason, wasReady) => this.died(dead, reason, wasReady),
        egress: (host) => {
          if (this.egress) this.egress(host);
          else if (this.egressBefore.length < 100) this.egressBefore.push(host);
        },
        warning: (message) =>
          this.hooks.log.warn({ worker: index }, `media worker: ${scrubAddresses(message)}`),
      },
      this.hooks.workerEntry,
    );
    this.slots[index] = slot;
    return slot;
  }

  private died(slot: WorkerSlot, reason: string, wasReady: boolean): void {
    if (this.slots[slot.index] !== slot || this.closing) return;
    this.slots[slot.index] = undefined;
    // A worker that never came up would only fail again at once; the next room starts it anew.
    const replace = wasReady;
    this.hooks.log.error(
      {
        worker: slot.index,
        rooms: slot.roomCount,
        peers: slot.peerCount,
        reason,
        replaced: replace,
      },
      "media worker died; its rooms reconnect",
    );
    if (replace) this.start(slot.index);
  }
}

/**
 * The SFU's worker threads, the first loading at once (`warm`): `plenum
 * serve` calls this before it loads the rest of the server, so that the
 * thread loads beside it.
 */
export function startMediaWorkers(options: WorkerEngineOptions, log: Logger): WorkerEngine {
  if (options.fastPath !== false && options.nativeMedia !== false) {
    // Each worker loads the addon itself; a missing build is said once, here.
    const { error } = loadNativeMedia();
    if (error)
      log.warn(
        { reason: error },
        "native media helpers not built: forwarding uses the JavaScript path, about a third more CPU per packet (npm rebuild builds them with python3, make and a C compiler)",
      );
  }
  const media = new WorkerEngine(options, { log });
  media.warm();
  return media;
}

/** Lexicographic order of two load vectors. */
function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? Number.POSITIVE_INFINITY;
    if (x !== y) return x < y;
  }
  return false;
}
