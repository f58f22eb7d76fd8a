/**
 * The load generator: either the publisher or the K subscribers, each in a
 * process of its own (so that the SFU's CPU is measured alone and the
 * publisher's pacing does not suffer from the subscribers' decryption).
 * Plain werift peers, as a browser would be: the publisher offers, the SFU
 * offers each subscriber; werift sends receiver reports and NACKs by itself.
 */
import { MediaStreamTrack, type PeerConfig, RTCPeerConnection, RtpHeader, RtpPacket } from "werift";
import { loopbackPeerConfig } from "../../test/support/werift-client";
import type { FromClients, ToClients } from "./messages";

const send = (m: FromClients) => process.send?.(m);
const peers = new Map<string, RTCPeerConnection>();
const received: number[] = [];
let sent = 0;
let pacer: NodeJS.Timeout | undefined;
let config: Partial<PeerConfig>;

/** A VP8-like payload (RFC 7741 descriptor, then a frame tag), fixed content: the SFU never looks inside. */
function vp8Payload(bytes: number, keyframe: boolean): Buffer {
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) body[i] = (i * 131 + 7) & 0xff;
  body[0] = 0x10;
  body.set(
    keyframe ? [0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00] : [0x11, 0, 0],
    1,
  );
  return body;
}

async function startPublisher(rate: number, packetBytes: number): Promise<void> {
  const pc = new RTCPeerConnection(config);
  peers.set("publisher", pc);
  const track = new MediaStreamTrack({ kind: "video" });
  pc.addTransceiver(track, { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  const connected = new Promise<void>((resolve) =>
    pc.connectionStateChange.subscribe((s) => s === "connected" && resolve()),
  );
  send({ type: "publish", label: "publisher", sdp: pc.localDescription?.sdp ?? "" });
  pendingAnswer.set("publisher", async (sdp) => {
    await pc.setRemoteDescription({ type: "answer", sdp });
    await connected;
    // 12 bytes of header and 8 of the mid extension werift adds.
    const delta = vp8Payload(packetBytes - 20, false);
    const key = vp8Payload(packetBytes - 20, true);
    const ssrc = 0x1234_5678;
    let seq = 1000;
    let ts = 90_000;
    const perFrame = Math.max(1, Math.round(rate / 30));
    const start = performance.now();
    // Paced by the clock, not by timer accuracy: every tick sends what is due.
    pacer = setInterval(() => {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (sent < due) {
        const last = sent % perFrame === perFrame - 1;
        const header = new RtpHeader({
          payloadType: 96,
          sequenceNumber: seq,
          timestamp: ts,
          ssrc,
          marker: last,
        });
        track.writeRtp(new RtpPacket(header, sent % (perFrame * 30) === 0 ? key : delta));
        seq = (seq + 1) & 0xffff;
        if (last) ts = (ts + 3000) >>> 0;
        sent++;
      }
    }, 2);
  });
}

const pendingAnswer = new Map<string, (sdp: string) => Promise<void>>();

function startSubscribers(count: number): void {
  for (let i = 0; i < count; i++) {
    const label = `subscriber-${i}`;
    const pc = new RTCPeerConnection(config);
    peers.set(label, pc);
    received[i] = 0;
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe(() => {
        received[i] = (received[i] ?? 0) + 1;
      });
    });
    send({ type: "subscribe", label });
  }
}

async function answerOffer(label: string, sdp: string): Promise<void> {
  const pc = peers.get(label);
  if (!pc) throw new Error(`no peer ${label}`);
  await pc.setRemoteDescription({ type: "offer", sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: "answer", label, sdp: pc.localDescription?.sdp ?? "" });
}

process.on("message", (m: ToClients) => {
  void (async () => {
    switch (m.type) {
      case "start-publisher":
        return startPublisher(m.rate, m.packetBytes);
      case "answer":
        return pendingAnswer.get(m.label)?.(m.sdp);
      case "start-subscribers":
        return startSubscribers(m.count);
      case "offer":
        return answerOffer(m.label, m.sdp);
      case "count":
        send({ type: "counts", sent, received: [...received] });
        return;
      case "close":
        if (pacer) clearInterval(pacer);
        await Promise.allSettled([...peers.values()].map((pc) => pc.close()));
        process.exit(0);
    }
  })().catch((error: Error) => send({ type: "failed", reason: error.stack ?? error.message }));
});

config = await loopbackPeerConfig();
send({ type: "ready" });
