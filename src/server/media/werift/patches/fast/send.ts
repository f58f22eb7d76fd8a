/**
 * The send half of forwarding, without werift's per-packet overhead.
 *
 * werift 0.24.4's `RTCRtpSender.sendRtp` rebuilds every packet's extension
 * list through closures and a sort, reads the clock as an NTP BigInt via
 * string splitting, adds uint32s with BigInt, books the packet for
 * transport-wide congestion control even when that is not negotiated, and
 * then awaits four async layers (DTLS transport → ICE connection → STUN
 * protocol → UDP transport) before `socket.send`. At fan-out K this runs K
 * times per received packet. The functions here do the same observable work
 * (same bytes on the wire, same counters, NACK cache and sender report
 * fields) synchronously, and fall back to werift's own code for every case
 * they do not cover (RED, transport-cc / abs-send-time, rid, TURN relays, the
 * debug packet-loss options).
 */
import { createSocket } from "node:dgram";
import { isIP } from "node:net";
import { constants } from "node:os";
import { RTP_EXTENSION_URI } from "werift";
import type { NativeMedia } from "../../../native";
import { headerSize, type RtpHeaderLike } from "./rtp-header";

const MID_URI = RTP_EXTENSION_URI.sdesMid;
const { errno } = constants;
/** werift's `RTP_HISTORY_SIZE`: the NACK cache's length. */
const RTP_HISTORY_SIZE = 128;

interface Extension {
  id: number;
  payload: Buffer;
}
interface RtpPacketLike {
  header: RtpHeaderLike;
  payload: Buffer;
}

interface Pair {
  protocol: {
    type?: string;
    sendData(data: Buffer, addr: [string, number]): Promise<void>;
    transport?: {
      type?: string;
      closed?: boolean;
      socket?: { send(data: Buffer, port: number, address: string): void };
    };
  };
  remoteCandidate: { host: string; port: number };
  readonly remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
}

export interface IceConnectionLike {
  nominated?: Pair;
  canSendApplicationData(): boolean;
}

export interface DtlsTransportLike {
  state: string;
  config: { debug?: { outboundPacketLoss?: number } };
  srtp: { encrypt(payload: Buffer, header: RtpHeaderLike): Buffer };
  srtcp: { encrypt(rtcp: Buffer): Buffer };
  iceTransport: { connection: IceConnectionLike };
  bytesSent: number;
  packetsSent: number;
  sendRtp(payload: Buffer, header: RtpHeaderLike): Promise<number>;
}

export interface SenderLike {
  dtlsTransport?: DtlsTransportLike;
  codec?: { payloadType: number };
  redRedundantPayloadType?: number;
  headerExtensions: Array<{ id: number; uri: string }>;
  mid?: string;
  ssrc: number;
  timestampOffset: number;
  seqOffset: number;
  timestamp?: number;
  sequenceNumber?: number;
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  headerBytesSent: number;
  packetCount: number;
  rtpCache: RtpPacketLike[];
  rtcpRunning: boolean;
  runRtcp(): Promise<void>;
}

type UdpSocket = NonNullable<NonNullable<Pair["protocol"]["transport"]>["socket"]>;

/** The native helpers, when the fast path was installed with them. */
let native: NativeMedia | undefined;

/** Chooses the native `sendto` (or, with `undefined`, Node's `socket.send`) from now on. */
export function useNativeSend(media: NativeMedia | undefined): void {
  native = media;
}

interface DgramState {
  handle: { fd?: number } | null;
}
const states = new WeakMap<UdpSocket, DgramState | null>();

/**
 * The socket's file descriptor, read from dgram's internal state on every
 * send (its handle is gone once the socket closes, and the number may then
 * belong to another socket); -1 where it cannot be found, and then Node's
 * own send is used. (The public `_handle` getter prints a deprecation warning.)
 */
export function socketFd(socket: UdpSocket): number {
  let state = states.get(socket);
  if (state === undefined) {
    const key = stateKey(socket);
    const found = key && (socket as unknown as Record<symbol, DgramState | undefined>)[key];
    state = found && "handle" in found ? found : null;
    states.set(socket, state);
  }
  const fd = state?.handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : -1;
}

/** Finds the state symbol of Node's dgram socket, where the descriptor's handle lives. */
function stateKey(socket: object): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((k) => k.description === "state symbol");
}

/**
 * The start-up guard of `socketFd`: throws unless a new dgram socket keeps
 * its handle where `socketFd` looks (Node's private state), so a Node upgrade
 * that moves it fails loudly instead of silently sending through the slow path.
 */
export function checkSocketFd(): void {
  const socket = createSocket("udp4");
  try {
    const key = stateKey(socket);
    const state = key && (socket as unknown as Record<symbol, unknown>)[key];
    if (!state || typeof state !== "object" || !("handle" in state))
      throw new Error(
        `Node ${process.version} keeps a UDP socket's handle elsewhere: the native send (src/server/media/werift/patches/fast/send.ts) cannot find its descriptor; start with PLENUM_FASTPATH=js`,
      );
  } finally {
    socket.close();
  }
}

/** EAGAIN, ENOBUFS (negated, as sendTo returns them): the socket's buffer is full now; Node's send queues the datagram instead. */
const TRY_LATER = new Set([-errno.EAGAIN, -errno.ENOBUFS]);

function udpSend(socket: UdpSocket, data: Buffer, port: number, host: string): void {
  const fd = native ? socketFd(socket) : -1;
  // Other errors (an unreachable peer) drop the datagram, as a lost packet: ICE's consent checks judge the path.
  if (fd < 0 || TRY_LATER.has((native as NativeMedia).sendTo(fd, data, port, host)))
    socket.send(data, port, host);
}

/** Sends one SRTP packet on the nominated pair; what `Connection.send` and the layers below do. */
export function iceSend(connection: IceConnectionLike, data: Buffer): void {
  if (!connection.canSendApplicationData()) return;
  const pair = connection.nominated as Pair;
  const { protocol } = pair;
  const transport = protocol.transport;
  const { host, port } = pair.remoteCandidate;
  if (protocol.type === "stun" && transport?.type === "udp" && transport.socket && isIP(host)) {
    if (!transport.closed) udpSend(transport.socket, data, port, host);
  } else {
    protocol.sendData(data, pair.remoteAddr).catch(() => undefined);
  }
  pair.packetsSent++;
  pair.bytesSent += data.length;
}

/** `RTCDtlsTransport.sendRtp` without the promise: encrypt, count, send. Returns the bytes sent (0 on failure). */
export function dtlsSendRtpNow(
  dtls: DtlsTransportLike,
  payload: Buffer,
  header: RtpHeaderLike,
): number {
  try {
    const enc = dtls.srtp.encrypt(payload, header);
    dtls.bytesSent += enc.length;
    dtls.packetsSent++;
    iceSend(dtls.iceTransport.connection, enc);
    return enc.length;
  } catch {
    return 0;
  }
}

/**
 * `RTCDtlsTransport.sendRtcp` without the promise chain: serialise the
 * compound packet, encrypt, count, send. Throws as werift's would (no SRTCP
 * session yet); callers turn that into a rejected promise.
 */
export function dtlsSendRtcpNow(
  dtls: DtlsTransportLike,
  packets: ReadonlyArray<{ serialize(): Buffer }>,
): void {
  const payload =
    packets.length === 1
      ? (packets[0] as { serialize(): Buffer }).serialize()
      : Buffer.concat(packets.map((p) => p.serialize()));
  const enc = dtls.srtcp.encrypt(payload);
  dtls.bytesSent += enc.length;
  dtls.packetsSent++;
  iceSend(dtls.iceTransport.connection, enc);
}

/** How a sender's packets get their extensions: only `mid` is rewritten here; anything else goes to werift. */
interface Plan {
  extensions: SenderLike["headerExtensions"];
  midId: number | undefined;
  mid: string | undefined;
  midPayload: Buffer | undefined;
  /**
   * The extensions of a packet that brings none of its own (every forwarded
   * packet: forward.ts drops the publisher's), one array for all of them —
   * werift's NACK history keeps each sent header for seconds, so a new array
   * per packet is old-generation garbage. Read-only, like the headers' fields.
   */
  only: Extension[];
}
const plans = new WeakMap<SenderLike, Plan>();

function planOf(sender: SenderLike): Plan | undefined {
  let plan = plans.get(sender);
  if (!plan || plan.extensions !== sender.headerExtensions || plan.mid !== sender.mid) {
    const exts = sender.headerExtensions;
    if (exts.some((e) => e.uri !== MID_URI)) return undefined;
    const midId = exts.find((e) => e.uri === MID_URI)?.id;
    const midPayload = midId !== undefined && sender.mid ? Buffer.from(sender.mid) : undefined;
    plan = {
      extensions: exts,
      midId,
      mid: sender.mid,
      midPayload,
      only: midId !== undefined && midPayload ? [{ id: midId, payload: midPayload }] : [],
    };
    plans.set(sender, plan);
  }
  return plan;
}

/** werift's merge: the sender's own extensions, then the packet's (same id: the packet's payload wins), sorted by id. */
function extensionsFor(plan: Plan, original: Extension[]): Extension[] {
  if (original.length === 0) return plan.only;
  const out: Extension[] =
    plan.midId !== undefined && plan.midPayload
      ? [{ id: plan.midId, payload: plan.midPayload }]
      : [];
  for (const ext of original) {
    const exist = out.find((v) => v.id === ext.id);
    if (exist) exist.payload = ext.payload;
    else out.push(ext);
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * werift's `ntpTime()` for a given wall-clock time in ms (its format: whole
 * seconds since 1900, then the decimal digits of the fraction as an integer).
 */
export function ntpAt(ms: number): bigint {
  const seconds = (ms - Date.UTC(1900, 0, 1)) / 1e3;
  const [sec, fraction] = seconds.toString().split(".").map(Number);
  return (BigInt(sec ?? 0) << 32n) | BigInt(fraction ?? 0);
}

/**
 * werift computes `ntpTime()` (string splitting of a float, several µs) for
 * every packet, though only the sender report reads it. Here the clock is
 * read per packet (cheap) and turned into werift's NTP format only when a
 * report is written (sender-reports.ts, `ntpTimestampOf`). A WeakMap, not
 * an accessor on the sender: redefining one of its properties would turn
 * the sender into a dictionary-mode object, every field a slow lookup.
 */
const clocks = new WeakMap<object, { ms: number; rtpTimestamp: number }>();

/**
 * The sender's `ntpTimestamp` for its next report: the time its last packet
 * went out here, or werift's own field when its last packet went through
 * werift's `sendRtp` (the fallback), which writes that field itself.
 */
export function ntpTimestampOf(sender: { ntpTimestamp: bigint; rtpTimestamp: number }): bigint {
  const clock = clocks.get(sender);
  return clock && clock.rtpTimestamp === sender.rtpTimestamp
    ? ntpAt(clock.ms)
    : sender.ntpTimestamp;
}

/**
 * The settled promise every covered send returns: a caller that sees it
 * knows the packet went (or was dropped as werift would) and need not attach
 * a handler.
 */
export const SENT: Promise<void> = Promise.resolve();
const RESOLVED = SENT;

/**
 * `RTCRtpSender.sendRtp` for the cases it covers; `original` otherwise.
 * Returns a settled promise, as werift's async method would.
 */
export function fastSenderSendRtp(
  sender: SenderLike,
  rtp: RtpPacketLike | Buffer,
  original: (rtp: RtpPacketLike | Buffer) => Promise<void>,
): Promise<void> {
  const dtls = sender.dtlsTransport;
  if (
    Buffer.isBuffer(rtp) ||
    sender.redRedundantPayloadType ||
    !dtls ||
    dtls.config.debug?.outboundPacketLoss
  )
    return original(rtp);
  if (dtls.state !== "connected" || !sender.codec) return RESOLVED;
  const plan = planOf(sender);
  if (!plan) return original(rtp);
  try {
    const { header, payload } = rtp;
    header.ssrc = sender.ssrc;
    header.payloadType = sender.codec.payloadType;
    header.timestamp = (header.timestamp + sender.timestampOffset) >>> 0;
    header.sequenceNumber = (header.sequenceNumber + sender.seqOffset) & 0xffff;
    sender.timestamp = header.timestamp;
    sender.sequenceNumber = header.sequenceNumber;
    header.extensions = extensionsFor(plan, header.extensions);
    // The sender report's (NTP, RTP) pair: the clock is read here (cheap) and
    // turned into werift's NTP format only when a report is written.
    const ms = performance.timeOrigin + performance.now();
    const clock = clocks.get(sender);
    if (clock) {
      clock.ms = ms;
      clock.rtpTimestamp = header.timestamp;
    } else clocks.set(sender, { ms, rtpTimestamp: header.timestamp });
    sender.rtpTimestamp = header.timestamp;
    sender.octetCount += payload.length;
    sender.headerBytesSent += headerSize(header) ?? header.serializeSize;
    sender.packetCount = (sender.packetCount + 1) >>> 0;
    sender.rtpCache[header.sequenceNumber % RTP_HISTORY_SIZE] = rtp;
    dtlsSendRtpNow(dtls, payload, header);
    if (!sender.rtcpRunning) void sender.runRtcp();
    return RESOLVED;
  } catch (error) {
    return Promise.reject(error);
  }
}
