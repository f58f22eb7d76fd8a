import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  compactNtp,
  MediaStreamTrack,
  RTCPeerConnection,
  RtcpPacketConverter,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtpHeader,
  RtpPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
} from "werift";
import { waitFor } from "../../../../../../test/support/wait";
import { loopbackPeerConfig } from "../../../../../../test/support/werift-client";
import { peerConfig } from "../../config";
import { installFastPath } from "./install";
import { senderReport } from "./sender-reports";

/**
 * The sender-report loop on plain timers, between the SFU's peer
 * connection and a werift client over loopback: the client must see
 * reports whose counts match what was sent, with the CNAME, and the SFU's
 * sender must get round-trip times from the client's answers (which quote
 * the report's NTP time back to it).
 */
describe("sender reports (sender-reports.ts)", () => {
  const closers: Array<() => Promise<unknown>> = [];
  before(() => installFastPath());
  after(async () => {
    await Promise.allSettled(closers.map((close) => close()));
  });

  it("reports every sender's packet counts on a timer until the sender stops", async () => {
    const server = new RTCPeerConnection(
      peerConfig({ addresses: ["127.0.0.1"], portRange: undefined }, "downstream"),
    );
    const client = new RTCPeerConnection(await loopbackPeerConfig());
    closers.push(
      () => server.close(),
      () => client.close(),
    );
    const track = new MediaStreamTrack({ kind: "video" });
    const sender = server.addTransceiver(track, { direction: "sendonly" }).sender;
    await server.setLocalDescription(await server.createOffer());
    await client.setRemoteDescription(server.localDescription as never);
    await client.setLocalDescription(await client.createAnswer());
    await server.setRemoteDescription(client.localDescription as never);
    // At the client's transport: werift's RTCP router drops source descriptions.
    const reports: RtcpSrPacket[] = [];
    const cnames: string[] = [];
    const [transceiver] = client.getTransceivers();
    transceiver?.receiver.dtlsTransport.onRtcp.subscribe((packet) => {
      if (packet instanceof RtcpSrPacket) reports.push(packet);
      if (packet instanceof RtcpSourceDescriptionPacket)
        for (const chunk of packet.chunks) for (const item of chunk.items) cnames.push(item.text);
    });

    let sent = 0;
    const timer = setInterval(() => {
      sent++;
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: sent, ssrc: 4242 });
      track.writeRtp(new RtpPacket(header, Buffer.alloc(200, 7)));
    }, 10);
    closers.push(async () => clearInterval(timer));

    await waitFor("three sender reports", () => reports.length >= 3, { timeoutMs: 30_000 });
    const counts = reports.map((r) => r.senderInfo.packetCount);
    assert.ok(
      counts.every((c, i) => c > 0 && c <= sent && c >= (counts[i - 1] ?? 0)),
      `packet counts rise and stay within what was sent: ${counts.join(", ")} of ${sent}`,
    );
    assert.ok(reports.every((r) => r.ssrc === sender.ssrc));
    // The NTP time of the last packet sent (whole seconds since 1900): now, give or take.
    const sentAt = Number((reports.at(-1) as RtcpSrPacket).senderInfo.ntpTimestamp >> 32n);
    const unixSeconds = sentAt - 2_208_988_800;
    assert.ok(Math.abs(unixSeconds - Date.now() / 1000) < 10, `report's NTP time ${unixSeconds}`);
    assert.ok(cnames.includes((sender as unknown as { cname: string }).cname), "CNAME sent");
    await waitFor("a round-trip time from the client's receiver reports", () =>
      Number.isFinite((sender as unknown as { rtt?: number }).rtt),
    );

    // A stopped sender's loop ends, and it cannot be started again.
    const loop = sender as unknown as { rtcpRunning: boolean; runRtcp(): Promise<void> };
    sender.stop();
    await loop.runRtcp();
    assert.equal(loop.rtcpRunning, false);
  });
});

describe("the sender report's bytes", () => {
  it("are werift's SR and SDES for the same fields, with the NTP time's middle bits as LSR", () => {
    const ntpTimestamp = (3_970_000_123n << 32n) | 987_654_321n;
    for (const cname of [undefined, randomUUID(), "a", "ab", "abcdef"]) {
      const ours = senderReport(0xdeadbeef, ntpTimestamp, 0xfffffff0, 12_345, 6_789_012, cname);
      const packets: Array<{ serialize(): Buffer }> = [
        new RtcpSrPacket({
          ssrc: 0xdeadbeef,
          senderInfo: new RtcpSenderInfo({
            ntpTimestamp,
            rtpTimestamp: 0xfffffff0,
            packetCount: 12_345,
            octetCount: 6_789_012,
          }),
        }),
      ];
      if (cname)
        packets.push(
          new RtcpSourceDescriptionPacket({
            chunks: [
              new SourceDescriptionChunk({
                source: 0xdeadbeef,
                items: [new SourceDescriptionItem({ type: 1, text: cname })],
              }),
            ],
          }),
        );
      const theirs = Buffer.concat(packets.map((p) => p.serialize()));
      // werift leaves out the null octet RFC 3550 asks for when SSRC, item header and text
      // end on a word boundary ("ab", "abcdef"); otherwise the bytes are the same.
      if (cname && (6 + cname.length) % 4 === 0) {
        assert.equal(ours.length, theirs.length + 4);
        assert.equal(ours.readUInt32BE(ours.length - 4), 0);
      } else assert.deepEqual(ours, theirs, `CNAME ${cname}`);
      const parsed = RtcpPacketConverter.deSerialize(ours);
      assert.equal((parsed[0] as RtcpSrPacket).senderInfo.packetCount, 12_345);
      if (cname)
        assert.equal((parsed[1] as RtcpSourceDescriptionPacket).chunks[0]?.items[0]?.text, cname);
      assert.equal(ours.readUInt32BE(10), compactNtp(ntpTimestamp));
    }
    // Counts past 2^32 wrap (RFC 3550) rather than throw.
    const wrapped = senderReport(1, ntpTimestamp, 0, 2 ** 32 + 5, 2 ** 33 + 7);
    assert.equal(wrapped.readUInt32BE(20), 5);
    assert.equal(wrapped.readUInt32BE(24), 7);
  });
});
