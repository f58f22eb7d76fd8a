/**
 * `RTCRtpSender.runRtcp` on plain timers: every 0.5–1.5 s (randomised per
 * report, RFC 3550 section 6.2), one sender report and, with a CNAME, its
 * source description — the packets and fields werift's loop writes.
 *
 * Why: werift waits with `timers/promises` and an AbortSignal, so every
 * report of every sender (two per subscriber) costs a promise chain, an
 * abort listener added and removed through Node's EventTarget, and the
 * async function's resumption: code that runs once a second per sender and
 * so mostly runs unoptimised. At fan-out 100 that is 200 loops.
 */
import {
  compactNtp,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  timestampSeconds,
} from "werift";
import { ntpTimestampOf } from "./send";

export interface ReportingSender {
  ssrc: number;
  cname?: string;
  stopped: boolean;
  rtcpRunning: boolean;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  lastSRtimestamp?: number;
  lastSentSRTimestamp?: number;
  dtlsTransport?: { sendRtcp(packets: Array<{ serialize(): Buffer }>): Promise<unknown> };
}

const SETTLED: Promise<void> = Promise.resolve();

/** The loop's next wait: 0.5–1.5 s, as werift's. */
const interval = () => 500 + Math.random() * 1e3;

function report(sender: ReportingSender): void {
  // stop() clears rtcpRunning (and aborts werift's signal, which nothing here listens to).
  if (!sender.rtcpRunning || sender.stopped) {
    sender.rtcpRunning = false;
    return;
  }
  const ntpTimestamp = ntpTimestampOf(sender);
  const packets: Array<{ serialize(): Buffer }> = [
    new RtcpSrPacket({
      ssrc: sender.ssrc,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp,
        rtpTimestamp: sender.rtpTimestamp,
        packetCount: sender.packetCount,
        octetCount: sender.octetCount,
      }),
    }),
  ];
  sender.lastSRtimestamp = compactNtp(ntpTimestamp);
  sender.lastSentSRTimestamp = timestampSeconds();
  if (sender.cname)
    packets.push(
      new RtcpSourceDescriptionPacket({
        chunks: [
          new SourceDescriptionChunk({
            source: sender.ssrc,
            items: [new SourceDescriptionItem({ type: 1, text: sender.cname })],
          }),
        ],
      }),
    );
  // A failed send (no SRTP session yet, a closed transport) is a lost report; the next one follows.
  sender.dtlsTransport?.sendRtcp(packets).catch(() => undefined);
  schedule(sender);
}

function schedule(sender: ReportingSender): void {
  // unref: a sender's reports never keep the process alive.
  setTimeout(report, interval(), sender).unref();
}

/** Starts the sender's report loop unless it runs or the sender stopped; returns a settled promise, as the loop is detached. */
export function runSenderReports(sender: ReportingSender): Promise<void> {
  if (sender.rtcpRunning || sender.stopped) return SETTLED;
  sender.rtcpRunning = true;
  schedule(sender);
  return SETTLED;
}
