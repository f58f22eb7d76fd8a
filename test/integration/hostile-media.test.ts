import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { type RTCPeerConnection, RtpHeader } from "werift";
import { figure, profile } from "../support/profile";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { marker } from "../support/synthetic-media";
import { WeriftClient } from "../support/werift-client";

const PACKETS = profile(4_000, 100_000);
const SPOOFED = profile(2_000, 50_000);
const SEED = Number(process.env.PLENUM_FUZZ_SEED ?? 20261127);
const HOSTILE = marker("Hostile", "video");

/** The server's media ports, from the candidates in a remote description. */
function serverPorts(pc: RTCPeerConnection | undefined): number[] {
  const sdp = pc?.remoteDescription?.sdp ?? "";
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ 127\.0\.0\.1 (\d+) typ host/gim)].map((m) =>
    Number(m[1]),
  );
}

/** Gives the event loop a turn every so many packets, so the flood does not starve everything else. */
async function paced<T>(items: T[], send: (item: T) => unknown): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    await send(items[i] as T);
    if (i % 50 === 49) await new Promise((r) => setImmediate(r));
  }
}

describe("media parsers and ICE (hostile input battery)", () => {
  let server: TestServer;
  /** Alice turns hostile; Bob watches; Carol is an honest sender whose media must keep flowing. */
  let alice: WeriftClient;
  let bob: WeriftClient;
  let carol: WeriftClient;
  let spoofer: Socket | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    server = await startTestServer();
    const room = await createRoom(server.url, { lobby: false });
    alice = await WeriftClient.connect(server.url, "Alice");
    bob = await WeriftClient.connect(server.url, "Bob");
    carol = await WeriftClient.connect(server.url, "Carol");
    for (const c of [alice, bob, carol]) await c.join(room.id);
    await alice.publish();
    await carol.publish();
    await bob.waitForMediaFrom(alice.id, 10);
    await bob.waitForMediaFrom(carol.id, 10);
  });

  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
    spoofer?.close();
    await Promise.allSettled([alice?.close(), bob?.close(), carol?.close()]);
    await server?.close();
  });

  it(`survives ${PACKETS} malformed RTP packets and raw datagrams from a connected peer`, {
    timeout: profile(300_000, 1_800_000),
  }, async () => {
    const pc = alice.connections.upstream;
    const video = pc?.getTransceivers().find((t) => t.kind === "video");
    assert.ok(video, "alice sends video");
    const dtls = video.sender.dtlsTransport;
    const realSsrc = video.sender.ssrc;
    // SRTP-protected RTP with arbitrary headers: what a hostile client can make its stack send.
    const rtp = fc.record({
      payloadType: fc.nat({ max: 127 }),
      ssrc: fc.oneof(fc.constant(realSsrc), fc.nat({ max: 2 ** 32 - 1 })),
      sequenceNumber: fc.nat({ max: 65_535 }),
      timestamp: fc.nat({ max: 2 ** 32 - 1 }),
      marker: fc.boolean(),
      csrc: fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 15 }),
      extensions: fc.array(
        fc.record({
          id: fc.integer({ min: 1, max: 14 }),
          payload: fc.uint8Array({ maxLength: 16 }),
        }),
        { maxLength: 4 },
      ),
      payload: fc.uint8Array({ maxLength: 1100 }),
    });
    const headers = fc.sample(rtp, { numRuns: PACKETS / 2, seed: SEED });
    await paced(headers, (h) => {
      const header = new RtpHeader({
        ...h,
        csrcLength: h.csrc.length,
        extension: h.extensions.length > 0,
        extensions: h.extensions.map((e) => ({ id: e.id, payload: Buffer.from(e.payload) })),
      });
      const payload = Buffer.concat([
        Buffer.from(`PLENUM-TEST ${HOSTILE};`),
        Buffer.from(h.payload),
      ]);
      return dtls.sendRtp(payload, header).catch(() => undefined);
    });
    // Unprotected datagrams on the established 5-tuple, with first bytes in each
    // demultiplexing range of RFC 7983 (STUN, DTLS, RTP/RTCP) and elsewhere.
    const datagram = fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 0, max: 3 }),
          fc.integer({ min: 20, max: 63 }),
          fc.integer({ min: 128, max: 191 }),
          fc.nat({ max: 255 }),
        ),
        fc.uint8Array({ maxLength: 1200 }),
      )
      .map(([first, rest]) => Buffer.from([first, ...rest]));
    const ice = dtls.iceTransport.connection;
    await paced(fc.sample(datagram, { numRuns: PACKETS / 2, seed: SEED + 1 }), (d) =>
      ice.send(d).catch(() => undefined),
    );

    // Wild sequence numbers on her own SSRC can break Alice's own video (SRTP's rollover
    // counter loses track); that harms nobody else: Carol's media keeps flowing to Bob.
    await bob.waitForMediaFrom(carol.id, 30);
    const forwarded = [...(bob.connections.downstream?.getTransceivers() ?? [])]
      .map((t) => bob.stats(t.mid ?? ""))
      .filter((s) => s.markers.has(HOSTILE)).length;
    figure("media.malformedPackets", PACKETS);
    figure("media.midsThatForwardedSrtpValidHostilePackets", forwarded);
    assert.deepEqual(unhandled, [], "no exception escaped");
    assert.equal(server.server.media.peerCount, 3, "every peer still there");
    assert.equal(pc?.connectionState, "connected");
  });

  it(`ignores ${SPOOFED} spoofed DTLS, STUN and RTP datagrams from an address that did no ICE`, {
    timeout: profile(300_000, 1_800_000),
  }, async () => {
    const ports = [
      ...serverPorts(alice.connections.upstream),
      ...serverPorts(bob.connections.downstream),
      ...serverPorts(carol.connections.upstream),
    ];
    assert.ok(ports.length >= 2, `server media ports ${ports.join(", ")}`);
    const socket = createSocket("udp4");
    spoofer = socket;
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.2", resolve));
    const clientHello = fc.uint8Array({ minLength: 40, maxLength: 300 }).map((body) =>
      // DTLS 1.2 handshake record, ClientHello, epoch 0: what a hijacker would start with.
      Buffer.concat([
        Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, body.length, 1]),
        Buffer.from(body),
      ]),
    );
    // A STUN binding request (magic cookie, random transaction id and attributes): wrong credentials.
    const stun = fc.uint8Array({ minLength: 12, maxLength: 200 }).map((b) => {
      const header = Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42]);
      header.writeUInt16BE(b.length - 12, 2);
      return Buffer.concat([header, Buffer.from(b)]);
    });
    const rtpLike = fc
      .uint8Array({ minLength: 12, maxLength: 1200 })
      .map((b) => Buffer.from([0x80, ...b]));
    const packets = fc.sample(fc.oneof(clientHello, stun, rtpLike), {
      numRuns: SPOOFED,
      seed: SEED + 2,
    });
    let i = 0;
    await paced(packets, (p) => {
      const port = ports[i++ % ports.length] as number;
      return new Promise<void>((resolve) => socket.send(p, port, "127.0.0.1", () => resolve()));
    });

    await bob.waitForMediaFrom(carol.id, 30);
    figure("ice.spoofedDatagrams", SPOOFED);
    assert.deepEqual(unhandled, [], "no exception escaped");
    assert.equal(carol.connections.upstream?.connectionState, "connected");
    assert.equal(bob.connections.downstream?.connectionState, "connected");
    assert.equal(server.server.media.peerCount, 3);
  });
});
