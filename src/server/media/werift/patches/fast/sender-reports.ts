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
import { timestampSeconds } from "werift";
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

/**
 * A sender report without report blocks (RFC 3550 section 6.4.1) and, with
 * a CNAME, its source description (section 6.5), as one compound packet
 * written straight into one buffer: the bytes werift's `RtcpSrPacket` and
 * `RtcpSourceDescriptionPacket` serialise to, without their objects, bit
 * writers and concatenations (which, run once a second per sender, run
 * unoptimised). Counts wrap at 2^32 as RFC 3550 says (werift's writer
 * throws instead); the CNAME item always ends with a null octet.
 */
export function senderReport(
  ssrc: number,
  ntpTimestamp: bigint,
  rtpTimestamp: number,
  packetCount: number,
  octetCount: number,
  cname?: string,
): Buffer {
  const text = cname ? Buffer.from(cname) : undefined;
  const withSdes = text !== undefined && text.length <= 255;
  // SSRC, CNAME item (type, length, text), at least one null octet, padded to 32 bits.
  const chunk = withSdes ? (4 + 2 + text.length + 1 + 3) & ~3 : 0;
  const out = Buffer.alloc(28 + (withSdes ? 4 + chunk : 0));
  out[0] = 0x80;
  out[1] = 200;
  out.writeUInt16BE(6, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out.writeBigUInt64BE(BigInt.asUintN(64, ntpTimestamp), 8);
  out.writeUInt32BE(rtpTimestamp >>> 0, 16);
  out.writeUInt32BE(packetCount >>> 0, 20);
  out.writeUInt32BE(octetCount >>> 0, 24);
  if (withSdes) {
    out[28] = 0x81;
    out[29] = 202;
    out.writeUInt16BE(chunk / 4, 30);
    out.writeUInt32BE(ssrc >>> 0, 32);
    out[36] = 1; // CNAME
    out[37] = text.length;
    text.copy(out, 38);
  }
  return out;
}

function report(sender: ReportingSender): void {
  // stop() clears rtcpRunning (and aborts werift's signal, which nothing here listens to).
  if (!sender.rtcpRunning || sender.stopped) {
    sender.rtcpRunning = false;
    return;
  }
  const ntpTimestamp = ntpTimestampOf(sender);
  const bytes = senderReport(
    sender.ssrc,
    ntpTimestamp,
    sender.rtpTimestamp,
    sender.packetCount,
    sender.octetCount,
    sender.cname,
  );
  // The middle 32 bits of the NTP time (werift's compactNtp): what receiver reports quote back as LSR.
  sender.lastSRtimestamp = bytes.readUInt32BE(10);
  sender.lastSentSRTimestamp = timestampSeconds();
  // A failed send (no SRTP session yet, a closed transport) is a lost report; the next one follows.
  sender.dtlsTransport?.sendRtcp([{ serialize: () => bytes }]).catch(() => undefined);
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
