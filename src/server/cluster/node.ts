import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { CLOSE } from "../../protocol/errors";
import type { ClusterConfig } from "../config/config";
import type { RoomDirectory } from "../room/directory";
import { type Identity, Session, type SessionDeps, type Socket } from "../signalling/session";
import {
  BEAT_MS,
  KEEP_SCRIPT,
  KEYS,
  NODE_TTL_MS,
  type NodeLoad,
  PLACE_SCRIPT,
  RELEASE_SCRIPT,
  ROOM_TTL_MS,
} from "./keys";
import { cpuMeter, loadScore } from "./load";
import { Inbound, Outbound } from "./messages";

/** Redis did not answer, or no node takes rooms: a join cannot be placed now. */
export class ClusterUnavailable extends Error {
  override name = "ClusterUnavailable";
}

/**
 * The owner named by the placement does not listen on its channel: it has
 * just died and its heartbeat has not yet expired. Placing again soon helps.
 */
export class OwnerUnreachable extends Error {
  override name = "OwnerUnreachable";
}

/** The client end of a relayed connection, on the node that holds its WebSocket. */
export interface RelayLink {
  send(text: string): void;
  /** The client went away (with its socket's close code); tells the owner. Idempotent. */
  close(code?: number): void;
}

/** Where a relayed connection's output goes: the client's WebSocket. */
export type RelaySink = Socket;

interface Link {
  owner: string;
  sink: RelaySink;
}

interface Hosted {
  session: Session;
  lastSeen: number;
}

export interface ClusterDeps {
  directory: RoomDirectory;
  /** Media peers open on this node, for the load it publishes. */
  peerCount: () => number;
  log: Logger;
  /** For sessions this node runs on behalf of clients connected elsewhere. */
  sessionDeps: SessionDeps;
  /** Share of a core used since the last call; the process's own by default. */
  cpu?: () => number;
}

/**
 * This node's part in a cluster: publishes its load, places rooms, keeps the
 * rooms it owns placed, relays clients of rooms that live elsewhere and runs
 * the sessions other nodes relay to it (docs/OPERATIONS.md, "Cluster").
 */
export class ClusterNode {
  readonly nodeId: string;
  /** Commands; fails fast while Redis is away instead of queueing. */
  private readonly redis: Redis;
  /** Subscriptions (a subscribed connection can do nothing else). */
  private readonly sub: Redis;
  private readonly links = new Map<string, Link>();
  private readonly hosted = new Map<string, Hosted>();
  private readonly cpu: () => number;
  private timer: NodeJS.Timeout | undefined;
  private lastBeatOk = Date.now();
  private redisDown = false;
  private state: "running" | "draining" | "closed" = "running";
  /** Rooms open here at the last beat, to release the placement of those that ended. */
  private owned = new Set<string>();

  constructor(
    config: ClusterConfig,
    private readonly deps: ClusterDeps,
  ) {
    this.nodeId = config.nodeId;
    this.cpu = deps.cpu ?? cpuMeter();
    const options = {
      // Reconnect for ever, at most every 2 s: Redis coming back must be noticed soon.
      retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      lazyConnect: true,
    };
    this.redis = new Redis(config.redisUrl, { ...options, enableOfflineQueue: false });
    // The subscriber re-subscribes by itself after a reconnect; it may queue while offline.
    this.sub = new Redis(config.redisUrl, options);
    // ioredis reports connection errors as events; the beat logs the outage once.
    this.redis.on("error", () => {});
    this.sub.on("error", () => {});
    this.sub.on("messageBuffer", (channel: Buffer, message: Buffer) =>
      this.onMessage(channel.toString(), message.toString()),
    );
  }

  /** Connects and starts beating. A Redis that is away at start is retried, not fatal. */
  async start(): Promise<void> {
    await Promise.allSettled([this.redis.connect(), this.sub.connect()]);
    // Queued until Redis answers (and renewed after every reconnect by ioredis itself).
    const subscribed = this.sub.subscribe(KEYS.inbound(this.nodeId));
    if (this.sub.status === "ready") await subscribed;
    else subscribed.catch(() => {});
    await this.beat();
    this.timer = setInterval(() => void this.beat(), BEAT_MS);
    this.timer.unref();
  }

  get log(): Logger {
    return this.deps.log;
  }

  /** Whether this node can place rooms now (for /readyz). */
  get ready(): { ok: true } | { ok: false; reason: string } {
    if (this.state !== "running") return { ok: false, reason: this.state };
    if (this.redis.status !== "ready") return { ok: false, reason: "redis unreachable" };
    return { ok: true };
  }

  /** Sessions run here for clients connected to other nodes. */
  get hostedCount(): number {
    return this.hosted.size;
  }

  /**
   * The node `roomId` lives on: its current owner while that owner is alive,
   * otherwise the least loaded live node that is not draining (this one on a
   * tie, to save a hop), set atomically so that two nodes never both place it.
   */
  async place(roomId: string): Promise<string> {
    if (this.redis.status !== "ready")
      throw new ClusterUnavailable("Redis is unreachable; rooms cannot be placed");
    try {
      const ids = await this.redis.smembers(KEYS.nodes);
      const raw = ids.length > 0 ? await this.redis.mget(ids.map(KEYS.node)) : [];
      // Nodes gone for good (scaled down, renamed) leave the set; a live one re-adds itself every beat.
      const gone = ids.filter((_, i) => !raw[i]);
      if (gone.length > 0) void this.redis.srem(KEYS.nodes, ...gone).catch(() => {});
      let best: { id: string; score: number } | undefined;
      ids.forEach((id, i) => {
        const text = raw[i];
        if (!text) return;
        const load = JSON.parse(text) as NodeLoad;
        if (load.draining) return;
        const score = loadScore(load) - (id === this.nodeId ? 0.5 : 0);
        if (!best || score < best.score || (score === best.score && id < best.id))
          best = { id, score };
      });
      if (!best) throw new ClusterUnavailable("no node takes new rooms (all draining or gone)");
      return String(
        await this.redis.eval(
          PLACE_SCRIPT,
          1,
          KEYS.room(roomId),
          best.id,
          ROOM_TTL_MS,
          KEYS.node(""),
        ),
      );
    } catch (error) {
      if (error instanceof ClusterUnavailable) throw error;
      throw new ClusterUnavailable(`Redis: ${(error as Error).message}`);
    }
  }

  /**
   * Opens a relay to `owner` for a client connected here; everything the
   * owner's session writes arrives at `sink`.
   */
  async relay(owner: string, identity: Identity, sink: RelaySink): Promise<RelayLink> {
    const conn = randomUUID();
    const channel = KEYS.outbound(conn);
    let receivers: number;
    try {
      await this.sub.subscribe(channel);
      this.links.set(conn, { owner, sink });
      receivers = await this.publish(owner, { k: "open", conn, from: this.nodeId, identity });
    } catch (error) {
      this.links.delete(conn);
      void this.sub.unsubscribe(channel).catch(() => {});
      throw new ClusterUnavailable(`Redis: ${(error as Error).message}`);
    }
    if (receivers === 0) {
      this.links.delete(conn);
      void this.sub.unsubscribe(channel).catch(() => {});
      throw new OwnerUnreachable(`node ${owner} does not answer`);
    }
    let closed = false;
    return {
      send: (text) => {
        if (closed) return;
        this.publish(owner, { k: "frame", conn, text }).catch(() =>
          // A frame that cannot reach the owner leaves the client out of step: start over.
          this.dropLink(conn, "the meeting's node cannot be reached"),
        );
      },
      close: (code) => {
        if (closed) return;
        closed = true;
        this.links.delete(conn);
        void this.sub.unsubscribe(channel).catch(() => {});
        void this.publish(owner, { k: "close", conn, code }).catch(() => {});
      },
    };
  }

  /** SIGTERM: no new rooms here; running rooms go on until they end. */
  drain(): void {
    if (this.state === "running") this.state = "draining";
    void this.beat();
  }

  /** Ends hosted sessions, withdraws this node and its rooms from Redis; idempotent. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    clearInterval(this.timer);
    for (const conn of [...this.hosted.keys()]) this.hosted.get(conn)?.session.shutdown();
    for (const conn of [...this.links.keys()]) this.dropLink(conn, "node shutting down");
    if (this.redis.status === "ready") {
      await Promise.allSettled([
        this.redis.del(KEYS.node(this.nodeId)),
        ...this.deps.directory.openRoomIds.map((id) =>
          this.redis.eval(RELEASE_SCRIPT, 1, KEYS.room(id), this.nodeId),
        ),
      ]);
    }
    this.redis.disconnect();
    this.sub.disconnect();
  }

  private publish(owner: string, message: Inbound): Promise<number> {
    return this.redis.publish(KEYS.inbound(owner), JSON.stringify(message));
  }

  private dropLink(conn: string, reason: string): void {
    const link = this.links.get(conn);
    if (!link) return;
    this.links.delete(conn);
    void this.sub.unsubscribe(KEYS.outbound(conn)).catch(() => {});
    // 1012: the client reconnects by itself, through any node, and the room is placed anew.
    link.sink.close(CLOSE.serviceRestart, reason);
  }

  private onMessage(channel: string, text: string): void {
    if (channel === KEYS.inbound(this.nodeId)) {
      this.onInbound(text);
      return;
    }
    const conn = channel.slice(KEYS.outbound("").length);
    const link = this.links.get(conn);
    if (!link) return;
    const parsed = Outbound.safeParse(parseJson(text));
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.k === "frame") link.sink.send(message.text);
    else {
      this.links.delete(conn);
      void this.sub.unsubscribe(channel).catch(() => {});
      link.sink.close(message.code, message.reason);
    }
  }

  /** A relaying node speaks for one of its clients: run the session here. */
  private onInbound(text: string): void {
    const parsed = Inbound.safeParse(parseJson(text));
    if (!parsed.success) {
      this.deps.log.warn("cluster: malformed relay message dropped");
      return;
    }
    const message = parsed.data;
    const now = Date.now();
    switch (message.k) {
      case "open": {
        if (this.state === "closed") return;
        const { conn } = message;
        const out = KEYS.outbound(conn);
        const socket: Socket = {
          send: (frame) =>
            void this.redis.publish(out, JSON.stringify({ k: "frame", text: frame })),
          close: (code, reason) => {
            this.hosted.delete(conn);
            void this.redis.publish(out, JSON.stringify({ k: "close", code, reason }));
          },
        };
        const identity: Identity = {
          account: message.identity.account,
          clientId: message.identity.clientId,
          address: message.identity.address,
        };
        const session = new Session(socket, this.deps.sessionDeps, identity);
        // The relaying node checked the greeting (the same code, the same version).
        session.greeted();
        this.hosted.set(conn, { session, lastSeen: now });
        return;
      }
      case "frame":
        this.hosted.get(message.conn)?.session.receive(message.text);
        return;
      case "close": {
        const hosted = this.hosted.get(message.conn);
        this.hosted.delete(message.conn);
        // As for a local socket: a goodbye leaves, anything else keeps the place for a resume.
        hosted?.session.connectionLost(message.code ?? CLOSE.goingAway);
        return;
      }
      case "beat":
        for (const conn of message.conns) {
          const hosted = this.hosted.get(conn);
          if (hosted) hosted.lastSeen = now;
        }
    }
  }

  private load(): NodeLoad {
    return {
      peers: this.deps.peerCount(),
      rooms: this.deps.directory.openRooms,
      cpu: Math.round(this.cpu() * 1000) / 1000,
      draining: this.state !== "running",
    };
  }

  /**
   * Every BEAT_MS: publish the load, keep this node's rooms placed, tell each
   * owner which relayed connections are still here, and let go of whatever
   * lost its other end (a dead owner, a dead relaying node, Redis itself).
   */
  private async beat(): Promise<void> {
    if (this.state === "closed") return;
    const now = Date.now();
    this.expireHosted(now);
    try {
      if (this.redis.status !== "ready") throw new Error(`connection ${this.redis.status}`);
      const { nodeId } = this;
      await this.redis
        .multi()
        .set(KEYS.node(nodeId), JSON.stringify(this.load()), "PX", NODE_TTL_MS)
        .sadd(KEYS.nodes, nodeId)
        .exec();
      const open = new Set(this.deps.directory.openRoomIds);
      // A room that ended here is placed anew at its next start (on a node that is not draining).
      for (const roomId of this.owned)
        if (!open.has(roomId)) await this.redis.eval(RELEASE_SCRIPT, 1, KEYS.room(roomId), nodeId);
      this.owned = open;
      for (const roomId of open) {
        const owner = await this.redis.eval(KEEP_SCRIPT, 1, KEYS.room(roomId), nodeId, ROOM_TTL_MS);
        if (owner !== nodeId)
          this.deps.log.warn(
            { room: roomId.slice(0, 4), owner },
            "cluster: a room open here is placed on another node",
          );
      }
      await this.checkOwners();
      if (this.redisDown) this.deps.log.info("cluster: Redis is reachable again");
      this.redisDown = false;
      this.lastBeatOk = now;
    } catch (error) {
      if (!this.redisDown)
        this.deps.log.error(
          { err: (error as Error).message },
          "cluster: Redis unreachable; new joins are refused until it returns",
        );
      this.redisDown = true;
      // Relays cannot carry frames without Redis: clients are told to come back later.
      if (now - this.lastBeatOk > NODE_TTL_MS)
        for (const conn of [...this.links.keys()]) this.dropLink(conn, "cluster unavailable");
    }
  }

  /** Relayed clients whose owner stopped beating reconnect (1012) and their room is placed anew. */
  private async checkOwners(): Promise<void> {
    const byOwner = new Map<string, string[]>();
    for (const [conn, link] of this.links) {
      const conns = byOwner.get(link.owner) ?? [];
      conns.push(conn);
      byOwner.set(link.owner, conns);
    }
    for (const [owner, conns] of byOwner) {
      if ((await this.redis.exists(KEYS.node(owner))) === 0) {
        this.deps.log.warn({ owner }, "cluster: a media node is gone; its clients reconnect");
        for (const conn of conns) this.dropLink(conn, "the meeting moves to another node");
      } else await this.publish(owner, { k: "beat", conns });
    }
  }

  /**
   * Sessions whose relaying node stopped vouching for them: the place is kept
   * for the resume window, and the client comes back through another node.
   */
  private expireHosted(now: number): void {
    for (const [conn, hosted] of this.hosted)
      if (now - hosted.lastSeen > NODE_TTL_MS) {
        this.hosted.delete(conn);
        hosted.session.connectionLost(CLOSE.goingAway);
      }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
