import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { prng } from "./prng";

/**
 * An impairing UDP relay: netem in userspace, for a kernel without sch_netem.
 *
 * It listens on `listenAddress` at every port of `ports` and forwards what a
 * client sends to port P on to `targetAddress`:P, from an upstream socket of
 * that client's own (one per client address, client port and relay port, as
 * a symmetric NAT does); the target's replies go back to the client from the
 * relay port the client used. ICE, DTLS and SRTP pass unchanged: an ICE-lite
 * server such as ours learns the upstream socket as a peer-reflexive
 * candidate from the browser's first check.
 *
 * Each direction can drop packets at random and delay each one by
 * `delayMs ± jitterMs` (uniform), so with jitter, packets overtake each other
 * as they do with `tc qdisc … netem delay 30ms 30ms`. Delayed packets wait in
 * one queue ordered by due time, drained by one timer.
 */
export interface Impairment {
  /** Percentage of packets dropped at random, 0–100. */
  lossPercent?: number;
  /** Mean delay in ms added to every packet. */
  delayMs?: number;
  /** Each packet's delay is uniform in delayMs ± jitterMs (never below 0). */
  jitterMs?: number;
}

/** "up": client to target; "down": target to client. */
export type Direction = "up" | "down";

export interface DirectionCounters {
  forwarded: number;
  dropped: number;
  /** Sends the kernel refused (e.g. the link is down). */
  failed: number;
}

export interface RelayCounters {
  up: DirectionCounters;
  down: DirectionCounters;
  /** Client sessions (upstream sockets) open now. */
  sessions: number;
  /** Packets waiting in the delay queue now. */
  queued: number;
}

export interface RelayOptions {
  listenAddress: string;
  /** Inclusive port range, the same on both sides (the server's PLENUM_MEDIA_PORTS). */
  ports: [number, number];
  targetAddress: string;
  /** Seed of the loss and jitter draws, so a run can be repeated. */
  seed?: number;
  /** A session unused this long is closed, as a NAT forgets a mapping. */
  idleMs?: number;
}

interface Session {
  upstream: Socket;
  /** The relay socket the client talks to, and so the one replies leave from. */
  front: Socket;
  client: RemoteInfo;
  lastUsed: number;
}

interface Queued {
  due: number;
  seq: number;
  send: () => void;
}

function checked(impairment: Impairment): Required<Impairment> {
  const { lossPercent = 0, delayMs = 0, jitterMs = 0 } = impairment;
  const bad = (what: string, value: number, max: number) =>
    !Number.isFinite(value) || value < 0 || value > max
      ? `${what} must be between 0 and ${max} (got ${value})`
      : undefined;
  const problem =
    bad("lossPercent", lossPercent, 100) ??
    bad("delayMs", delayMs, 10_000) ??
    bad("jitterMs", jitterMs, 10_000);
  if (problem) throw new RangeError(`udp relay: ${problem}`);
  return { lossPercent, delayMs, jitterMs };
}

const NONE: Required<Impairment> = { lossPercent: 0, delayMs: 0, jitterMs: 0 };

export class UdpRelay {
  private readonly fronts: Socket[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly impairments: Record<Direction, Required<Impairment>> = {
    up: NONE,
    down: NONE,
  };
  private readonly counts: Record<Direction, DirectionCounters> = {
    up: { forwarded: 0, dropped: 0, failed: 0 },
    down: { forwarded: 0, dropped: 0, failed: 0 },
  };
  /** Binary min-heap on (due, seq): equal due times keep their arrival order. */
  private readonly queue: Queued[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private readonly sweeper: NodeJS.Timeout;
  private readonly random: () => number;
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: RelayOptions) {
    this.random = prng(options.seed ?? 1);
    const idleMs = options.idleMs ?? 30_000;
    this.sweeper = setInterval(() => this.sweep(idleMs), Math.min(idleMs, 5_000));
    this.sweeper.unref();
  }

  /** Binds every port of the range; fails (and frees what it bound) if one is taken. */
  static async start(options: RelayOptions): Promise<UdpRelay> {
    const [first, last] = options.ports;
    if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 1 && first <= last))
      throw new RangeError(`udp relay: bad port range ${first}-${last}`);
    if (last > 65535 || last - first >= 1000)
      throw new RangeError(`udp relay: port range ${first}-${last} too large (at most 1000 ports)`);
    const relay = new UdpRelay(options);
    try {
      for (let port = first; port <= last; port++) await relay.listen(port);
    } catch (error) {
      await relay.close();
      throw error;
    }
    return relay;
  }

  /** Impairs `direction` (or both) from now on; replaces the earlier impairment. */
  impair(impairment: Impairment, direction: Direction | "both" = "both"): void {
    const valid = checked(impairment);
    for (const d of direction === "both" ? (["up", "down"] as const) : [direction])
      this.impairments[d] = valid;
  }

  /** Forwards everything at once again (what is already queued still waits its turn). */
  clear(): void {
    this.impairments.up = NONE;
    this.impairments.down = NONE;
  }

  counters(): RelayCounters {
    return {
      up: { ...this.counts.up },
      down: { ...this.counts.down },
      sessions: this.sessions.size,
      queued: this.queue.length,
    };
  }

  /** Idempotent: closes every socket and drops what is queued. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      if (this.timer) clearTimeout(this.timer);
      this.queue.length = 0;
      const sockets = [...this.fronts, ...[...this.sessions.values()].map((s) => s.upstream)];
      this.fronts.length = 0;
      this.sessions.clear();
      await Promise.all(sockets.map(closeSocket));
    })();
    return this.closing;
  }

  private async listen(port: number): Promise<void> {
    const front = createSocket("udp4");
    this.fronts.push(front);
    await new Promise<void>((resolve, reject) => {
      front.once("error", reject);
      front.bind(port, this.options.listenAddress, () => {
        front.off("error", reject);
        resolve();
      });
    });
    front.on("error", () => {
      // A send to a vanished client; the packet is lost, as on a real link.
    });
    front.on("message", (data, from) => this.fromClient(front, port, data, from));
  }

  private fromClient(front: Socket, port: number, data: Buffer, from: RemoteInfo): void {
    if (this.closing) return;
    const key = `${from.address}:${from.port}>${port}`;
    let session = this.sessions.get(key);
    if (!session) {
      const upstream = createSocket("udp4");
      upstream.on("error", () => {
        // As above: a refused send only loses that packet.
      });
      const made: Session = { upstream, front, client: from, lastUsed: Date.now() };
      upstream.on("message", (reply, source) => {
        // Like a NAT mapping: only the target's port may answer through it.
        if (source.address !== this.options.targetAddress || source.port !== port) return;
        made.lastUsed = Date.now();
        this.pass("down", () => this.send("down", front, reply, from.port, from.address));
      });
      upstream.bind(0);
      this.sessions.set(key, made);
      session = made;
    }
    session.lastUsed = Date.now();
    const { upstream } = session;
    this.pass("up", () => this.send("up", upstream, data, port, this.options.targetAddress));
  }

  /** Drops the packet, sends it now, or queues it for later, as `direction`'s impairment says. */
  private pass(direction: Direction, send: () => void): void {
    const { lossPercent, delayMs, jitterMs } = this.impairments[direction];
    if (lossPercent > 0 && this.random() * 100 < lossPercent) {
      this.counts[direction].dropped++;
      return;
    }
    const delay =
      jitterMs > 0 ? Math.max(0, delayMs + (this.random() * 2 - 1) * jitterMs) : delayMs;
    // Nothing waiting and no delay: straight through (a queued packet must not be overtaken
    // by one that would not have been delayed had it arrived a moment earlier).
    if (delay === 0 && this.queue.length === 0) send();
    else this.push({ due: performance.now() + delay, seq: this.seq++, send });
  }

  private send(direction: Direction, socket: Socket, data: Buffer, port: number, host: string) {
    if (this.closing) return;
    this.counts[direction].forwarded++;
    socket.send(data, port, host, (error) => {
      if (error) this.counts[direction].failed++;
    });
  }

  private push(item: Queued): void {
    const q = this.queue;
    q.push(item);
    let i = q.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(item, q[parent] as Queued)) break;
      q[i] = q[parent] as Queued;
      i = parent;
    }
    q[i] = item;
    this.arm();
  }

  private pop(): Queued | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (q.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let child = l;
      if (r < q.length && earlier(q[r] as Queued, q[l] as Queued)) child = r;
      if (l >= q.length || !earlier(q[child] as Queued, last)) break;
      q[i] = q[child] as Queued;
      i = child;
    }
    q[i] = last;
    return top;
  }

  /** One timer, set for the earliest due packet. */
  private arm(): void {
    const head = this.queue[0];
    if (!head || head.due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = head.due;
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.due - performance.now()));
  }

  private drain(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = performance.now();
    while (this.queue.length > 0 && (this.queue[0] as Queued).due <= now) this.pop()?.send();
    this.arm();
  }

  private sweep(idleMs: number): void {
    const stale = Date.now() - idleMs;
    for (const [key, session] of this.sessions) {
      if (session.lastUsed >= stale) continue;
      this.sessions.delete(key);
      void closeSocket(session.upstream);
    }
  }
}

function earlier(a: Queued, b: Queued): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // Never bound, or already closed.
    }
  });
}
