import {
  PictureLossIndication,
  type RTCPeerConnection,
  type RTCRtpTransceiver,
  RTP_EXTENSION_URI,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  type RtpHeader,
} from "werift";

/**
 * Simulcast as a browser sends it, which werift 0.24 cannot do by itself (its
 * sender has one SSRC and writes no rid): three RTP streams on one m-line,
 * each with an SSRC of its own, told apart by the RTP stream id (rid) header
 * extension. Like Chrome, the offer lists the rids and `a=simulcast` but no
 * SSRC, and each stream carries mid and rid only until a receiver report
 * shows that the other side knows its SSRC.
 */
export const RIDS = ["q", "h", "f"] as const;

/**
 * The order the server expects the layers in: Plenum's client lists them
 * lowest first (and the server numbers them so); Janus assumes the first rid
 * is the highest (janus.js sends h, m, l).
 */
export type RidOrder = "low-first" | "high-first";

/** The offer with the video m-line's SSRC lines replaced by rids and `a=simulcast:send`. */
export function simulcastOffer(sdp: string, order: RidOrder): string {
  const rids = order === "low-first" ? [...RIDS] : [...RIDS].reverse();
  const sections = sdp.split(/(?=^m=)/m);
  const video = sections.findIndex((s) => s.startsWith("m=video"));
  const section = sections[video];
  if (video < 0 || section === undefined) throw new Error("no video m-line to simulcast");
  const eol = section.includes("\r\n") ? "\r\n" : "\n";
  const kept = section
    .split(eol)
    .filter(
      (line) => line && !/^a=(ssrc|ssrc-group):/.test(line) && !/^a=(rid|simulcast):/.test(line),
    );
  sections[video] = [
    ...kept,
    ...rids.map((rid) => `a=rid:${rid} send`),
    `a=simulcast:send ${rids.join(";")}`,
    "",
  ].join(eol);
  return sections.join("");
}

/** Sends the layers of one video transceiver; reports which layer a key frame request names. */
export class SimulcastSender {
  /** SSRC per layer index (0 = q). */
  readonly ssrcs: number[];
  /** Layers whose SSRC the receiver has acknowledged in a receiver report: no more mid/rid. */
  private readonly known = new Set<number>();

  constructor(
    pc: RTCPeerConnection,
    private readonly transceiver: RTCRtpTransceiver,
    random: () => number,
    onKeyframeRequest: (layer: number | undefined) => void,
  ) {
    this.ssrcs = RIDS.map(() => 1 + Math.floor(random() * 0xfffffffe));
    // RTCP about our SSRCs reaches the transceiver's sender (werift routes by SSRC).
    const router = (pc as unknown as { router: { ssrcTable: Record<number, unknown> } }).router;
    for (const ssrc of this.ssrcs) router.ssrcTable[ssrc] = transceiver.sender;
    transceiver.sender.onRtcp.subscribe((packet: RtcpPacket) => {
      if (packet.type === RtcpRrPacket.type || packet.type === RtcpSrPacket.type) {
        for (const r of (packet as RtcpRrPacket).reports ?? []) {
          const layer = this.ssrcs.indexOf(r.ssrc);
          if (layer >= 0) this.known.add(layer);
        }
      } else if (packet.type === RtcpPayloadSpecificFeedback.type) {
        const fb = (packet as RtcpPayloadSpecificFeedback).feedback;
        if (fb.count !== PictureLossIndication.count) return;
        const layer = this.ssrcs.indexOf((fb as PictureLossIndication).mediaSsrc);
        onKeyframeRequest(layer >= 0 ? layer : undefined);
      }
    });
  }

  send(layer: number, header: RtpHeader, payload: Buffer): void {
    const dtls = this.transceiver.dtlsTransport;
    const pt = this.transceiver.sender.codec?.payloadType;
    const ssrc = this.ssrcs[layer];
    if (dtls?.state !== "connected" || pt === undefined || ssrc === undefined) return;
    header.ssrc = ssrc;
    header.payloadType = pt;
    if (!this.known.has(layer)) {
      const ids = this.transceiver.headerExtensions;
      const mid = ids.find((e) => e.uri === RTP_EXTENSION_URI.sdesMid)?.id;
      const rid = ids.find((e) => e.uri === RTP_EXTENSION_URI.sdesRTPStreamID)?.id;
      header.extensions = [
        ...(mid !== undefined && this.transceiver.mid
          ? [{ id: mid, payload: Buffer.from(this.transceiver.mid) }]
          : []),
        ...(rid !== undefined ? [{ id: rid, payload: Buffer.from(RIDS[layer] ?? "") }] : []),
      ];
    }
    dtls.sendRtp(payload, header).catch(() => undefined);
  }
}
