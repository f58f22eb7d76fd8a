import { Worker } from "node:worker_threads";
import { applyTally, mediaMetrics } from "../metrics";
import type { PeerEvents } from "../types";
import type { WeriftOptions } from "../werift/config";
import { type PeerHost, WorkerPeer } from "./peer";
import type { FromWorker, PeerMethod, PeerRef, ToWorker, WorkerInit } from "./protocol";

/** What a slot tells its engine. */
export interface SlotEvents {
  /** The worker thread ended without being asked to; its peers are already told. */
  died(slot: WorkerSlot, reason: string, wasReady: boolean): void;
  egress(host: string): void;
  warning(message: string): void;
}

/**
 * The worker's entry. Under tsx (how Plenum runs) a worker thread does not
 * inherit the TypeScript loader, so a small bootstrap registers it first.
 */
export const WORKER_ENTRY = new URL(
  `./worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
);

function spawn(entry: URL, init: WorkerInit): Worker {
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry, { workerData: init });
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

type SlotState = "starting" | "ready" | "stopped";

/** One media worker thread, the proxies of the peers it holds, and the calls it owes an answer. */
export class WorkerSlot implements PeerHost {
  private readonly worker: Worker;
  private state: SlotState = "starting";
  private readonly peers = new Map<number, WorkerPeer>();
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  /** Open peers per room on this worker: its load, and where a room's next peer goes. */
  private readonly rooms = new Map<string, number>();
  private readonly roomOf = new Map<WorkerPeer, string>();
  private nextCall = 1;
  private stopping = false;
  private readonly exited: Promise<void>;

  constructor(
    readonly index: number,
    media: WeriftOptions,
    private readonly events: SlotEvents,
    entry: URL = WORKER_ENTRY,
  ) {
    this.worker = spawn(entry, { media });
    this.worker.on("message", (m: FromWorker) => this.receive(m));
    this.worker.on("error", (error) => this.stop(`uncaught ${error.name}: ${error.message}`));
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        this.stop(`exited with code ${code}`);
        resolve();
      }),
    );
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  get isReady(): boolean {
    return this.state === "ready";
  }

  get isRunning(): boolean {
    return this.state !== "stopped";
  }

  get peerCount(): number {
    return this.peers.size;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  hasRoom(room: string): boolean {
    return this.rooms.has(room);
  }

  createPeer(id: number, label: string, events: PeerEvents, room: string): WorkerPeer {
    if (!this.isRunning) throw new Error("media worker is stopped");
    const peer = new WorkerPeer(id, label, events, this);
    this.peers.set(id, peer);
    this.roomOf.set(peer, room);
    this.rooms.set(room, (this.rooms.get(room) ?? 0) + 1);
    this.post({ type: "create", peer: id, label });
    return peer;
  }

  call(peer: WorkerPeer, method: PeerMethod, args: unknown[]): Promise<unknown> {
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.post({ type: "call", peer: peer.id, method, args: args.map(encode), call });
    });
  }

  cast(peer: WorkerPeer, method: PeerMethod, args: unknown[]): void {
    this.post({ type: "call", peer: peer.id, method, args: args.map(encode) });
  }

  closed(peer: WorkerPeer): void {
    if (!this.peers.delete(peer.id)) return;
    const room = this.roomOf.get(peer);
    this.roomOf.delete(peer);
    if (room === undefined) return;
    const left = (this.rooms.get(room) ?? 1) - 1;
    if (left > 0) this.rooms.set(room, left);
    else this.rooms.delete(room);
  }

  /** Test-only: makes the worker throw an uncaught exception. */
  crash(): void {
    this.post({ type: "crash" });
  }

  /** Ends the thread on purpose (engine closing); resolves once it is gone. Idempotent. */
  async terminate(): Promise<void> {
    this.stopping = true;
    this.stop("terminated");
    // A crashed thread may still be on its way out: wait for every exit alike.
    await Promise.all([this.worker.terminate(), this.exited]);
  }

  private post(message: ToWorker): void {
    if (this.state !== "stopped") this.worker.postMessage(message);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case "ready":
        if (this.state === "starting") this.state = "ready";
        return;
      case "result": {
        const pending = this.pending.get(message.call);
        this.pending.delete(message.call);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(new Error(message.message));
        return;
      }
      case "event": {
        const peer = this.peers.get(message.peer);
        if (!peer?.isOpen) return;
        const handler = peer.events[message.name as keyof PeerEvents] as
          | ((...args: unknown[]) => void)
          | undefined;
        handler?.apply(peer.events, message.args);
        return;
      }
      case "egress":
        this.events.egress(message.host);
        return;
      case "metrics": {
        const worker = String(this.index);
        if (message.tally) applyTally(message.tally, worker);
        mediaMetrics.workerCpu(worker, message.busySeconds);
        return;
      }
      case "warning":
        this.events.warning(`${message.method}: ${message.message}`);
    }
  }

  /**
   * The thread is gone: calls waiting for it fail, and unless the engine
   * asked for it, every peer it held is lost (its owner has the client reconnect).
   */
  private stop(reason: string): void {
    if (this.state === "stopped") return;
    const wasReady = this.state === "ready";
    this.state = "stopped";
    const error = new Error(`media worker stopped: ${reason}`);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    if (this.stopping) return;
    // The engine places rooms elsewhere before the owners hear of the loss, so rejoins find a worker.
    this.events.died(this, reason, wasReady);
    for (const peer of [...this.peers.values()]) peer.lose(error.message);
  }
}

function encode(arg: unknown): unknown {
  return arg instanceof WorkerPeer ? ({ $peer: arg.id } satisfies PeerRef) : arg;
}
