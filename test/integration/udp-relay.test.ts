import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { UdpRelay } from "../support/udp-relay";
import { waitFor } from "../support/wait";

/**
 * The impairing UDP relay (test/support/udp-relay.ts) on loopback: clients
 * talk to 127.0.0.2:P, the relay forwards to an echo server on 127.0.0.1:P.
 */
const RELAY = "127.0.0.2";
const TARGET = "127.0.0.1";
const PORTS = 4;

function bindSocket(port: number, address: string): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, address, () => resolve(socket));
  });
}

const closeAll = (sockets: Socket[]) =>
  Promise.all(sockets.map((s) => new Promise<void>((done) => s.close(() => done()))));

/** Echo servers on TARGET and the relay in front of them, on a port range free on both addresses. */
async function setUp(): Promise<{ relay: UdpRelay; echoes: Socket[]; ports: [number, number] }> {
  for (let attempt = 0; ; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    const ports: [number, number] = [first, first + PORTS - 1];
    const echoes: Socket[] = [];
    try {
      for (let p = first; p <= ports[1]; p++) {
        const echo = await bindSocket(p, TARGET);
        echo.on("message", (data, from) => echo.send(data, from.port, from.address));
        echoes.push(echo);
      }
      const relay = await UdpRelay.start({
        listenAddress: RELAY,
        ports,
        targetAddress: TARGET,
        seed: 7,
      });
      return { relay, echoes, ports };
    } catch (error) {
      await closeAll(echoes);
      if (attempt >= 20) throw error;
    }
  }
}

/** A client socket that numbers what it sends and records what comes back. */
class Client {
  readonly received: { seq: number; from: string; at: number }[] = [];
  private readonly sentAt = new Map<number, number>();
  private seq = 0;
  private constructor(readonly socket: Socket) {
    socket.on("message", (data, from) =>
      this.received.push({
        seq: data.readUInt32BE(0),
        from: `${from.address}:${from.port}`,
        at: performance.now(),
      }),
    );
  }
  static async open(): Promise<Client> {
    return new Client(await bindSocket(0, "127.0.0.1"));
  }
  /** Sends `count` packets to the relay's `port`, pausing now and then so no socket buffer overflows. */
  async send(port: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const data = Buffer.alloc(200);
      data.writeUInt32BE(this.seq, 0);
      this.sentAt.set(this.seq++, performance.now());
      this.socket.send(data, port, RELAY);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2));
    }
  }
  roundTrip(seq: number, at: number): number {
    return at - (this.sentAt.get(seq) ?? Number.NaN);
  }
  close(): Promise<void> {
    return closeAll([this.socket]).then(() => undefined);
  }
}

describe("the impairing UDP relay", () => {
  let relay: UdpRelay;
  let echoes: Socket[];
  let ports: [number, number];
  const clients: Client[] = [];
  const client = async () => {
    const c = await Client.open();
    clients.push(c);
    return c;
  };

  before(async () => {
    ({ relay, echoes, ports } = await setUp());
  });

  after(async () => {
    await relay?.close();
    await closeAll(echoes ?? []);
    for (const c of clients) await c.close();
  });

  it("forwards both ways through one upstream socket per client, answering from the port it used", async () => {
    const [a, b] = [await client(), await client()];
    const seenByTarget = new Set<string>();
    const echo = echoes[1] as Socket;
    const note = (_: Buffer, from: { address: string; port: number }) =>
      seenByTarget.add(`${from.address}:${from.port}`);
    echo.on("message", note);
    const before = relay.counters();
    await a.send(ports[0], 10);
    await a.send(ports[0] + 1, 10);
    await b.send(ports[0] + 1, 10);
    await waitFor("30 echoes", () => a.received.length + b.received.length === 30);
    echo.off("message", note);
    const after = relay.counters();
    assert.equal(after.up.forwarded - before.up.forwarded, 30);
    assert.equal(after.down.forwarded - before.down.forwarded, 30);
    assert.equal(after.sessions - before.sessions, 3, "one session per client and relay port");
    assert.deepEqual(new Set(b.received.map((r) => r.from)), new Set([`${RELAY}:${ports[0] + 1}`]));
    assert.deepEqual(
      new Set(a.received.map((r) => r.from)),
      new Set([`${RELAY}:${ports[0]}`, `${RELAY}:${ports[0] + 1}`]),
    );
    assert.equal(seenByTarget.size, 2, "the target saw two upstream sockets");
    const clientPorts = [a, b].map((c) => `127.0.0.1:${c.socket.address().port}`);
    for (const seen of seenByTarget)
      assert.ok(!clientPorts.includes(seen), "the target never sees the client itself");
  });

  it("drops the given share of one direction at random, and stops when cleared", async () => {
    const c = await client();
    const before = relay.counters();
    relay.impair({ lossPercent: 20 }, "up");
    await c.send(ports[0] + 2, 2000);
    await waitFor("the relay to see 2000 packets", () => {
      const now = relay.counters().up;
      return now.forwarded + now.dropped - before.up.forwarded - before.up.dropped >= 2000;
    });
    const after = relay.counters();
    const dropped = after.up.dropped - before.up.dropped;
    assert.ok(dropped > 300 && dropped < 500, `about 400 of 2000 dropped (${dropped})`);
    assert.equal(after.down.dropped, before.down.dropped, "the other direction lost nothing");
    await waitFor("every forwarded packet's echo", () => c.received.length === 2000 - dropped);

    relay.clear();
    await c.send(ports[0] + 2, 100);
    await waitFor("all 100 echoes once cleared", () => c.received.length === 2100 - dropped);
  });

  it("delays every packet, keeps the order without jitter and reorders with it", async () => {
    const steady = await client();
    relay.impair({ delayMs: 40 }, "down");
    await steady.send(ports[0] + 3, 200);
    await waitFor("200 delayed echoes", () => steady.received.length === 200);
    const rtts = steady.received.map((r) => steady.roundTrip(r.seq, r.at));
    // A lower bound only: a loaded machine adds delay, it never removes any.
    assert.ok(Math.min(...rtts) >= 39, `every echo took at least 40 ms (min ${Math.min(...rtts)})`);
    assert.deepEqual(
      steady.received.map((r) => r.seq),
      [...Array(200).keys()],
      "a fixed delay keeps the order",
    );

    const jittery = await client();
    relay.impair({ delayMs: 30, jitterMs: 30 });
    await jittery.send(ports[0] + 3, 300);
    await waitFor("300 jittered echoes", () => jittery.received.length === 300);
    const order = jittery.received.map((r) => r.seq);
    const overtaken = order.filter((seq, i) => i > 0 && seq < (order[i - 1] as number)).length;
    assert.ok(overtaken > 10, `jitter reorders packets (${overtaken} overtaken)`);
    assert.deepEqual(
      [...order].sort((x, y) => x - y),
      [...Array(300).keys()],
      "none lost",
    );
    relay.clear();
  });

  it("refuses nonsense", async () => {
    assert.throws(
      () => relay.impair({ lossPercent: 150 }),
      /lossPercent must be between 0 and 100/,
    );
    assert.throws(() => relay.impair({ jitterMs: -1 }), /jitterMs/);
    await assert.rejects(
      UdpRelay.start({ listenAddress: RELAY, ports: [5000, 4000], targetAddress: TARGET }),
      /bad port range/,
    );
  });

  it("fails to start on a taken port, freeing what it had bound", async () => {
    // A taken port B whose neighbour B - 1 is free: the relay binds B - 1, then fails on B.
    for (let attempt = 0; ; attempt++) {
      const blocker = await bindSocket(0, RELAY);
      const port = blocker.address().port;
      const probe = await bindSocket(port - 1, RELAY).catch(() => undefined);
      if (!probe) {
        await closeAll([blocker]);
        assert.ok(attempt < 20, "found a free port below an ephemeral one");
        continue;
      }
      await closeAll([probe]);
      try {
        await assert.rejects(
          UdpRelay.start({ listenAddress: RELAY, ports: [port - 1, port], targetAddress: TARGET }),
          /EADDRINUSE/,
        );
        await closeAll([await bindSocket(port - 1, RELAY)]);
      } finally {
        await closeAll([blocker]);
      }
      return;
    }
  });

  it("closes idempotently and frees every port and upstream socket", async () => {
    await relay.close();
    await relay.close();
    assert.equal(relay.counters().sessions, 0);
    const rebound: Socket[] = [];
    for (let p = ports[0]; p <= ports[1]; p++) rebound.push(await bindSocket(p, RELAY));
    await closeAll(rebound);
  });
});
