import {
  MediaStreamTrack,
  type PeerConfig,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  type RtpPacket,
  useOPUS,
  useSdesMid,
  useVP8,
} from "werift";
import type {
  Joined,
  MediaState,
  Participant,
  Results,
  ServerEvent,
  ServerMessage,
  TrackInfo,
} from "../../src/protocol/messages";
import type { MediaKind } from "../../src/server/media/types";
import { installWeriftPatches } from "../../src/server/media/werift/patches";
import { loopbackStun } from "./loopback-stun";
import { SignallingClient } from "./signalling-client";
import { marker, readMarker, SyntheticSource } from "./synthetic-media";
import { waitFor } from "./wait";

/**
 * Peer settings that keep every packet of a test client on loopback.
 *
 * The server is ICE-lite, so the client must be a full agent, and a full
 * werift agent without a STUN server asks Google's. We give it a loopback STUN
 * responder, take no addresses from the interfaces (`iceUseIpv4/6: false`)
 * and announce and bind 127.0.0.1 only.
 */
export async function loopbackPeerConfig(): Promise<Partial<PeerConfig>> {
  const stun = await loopbackStun();
  return {
    codecs: { audio: [useOPUS()], video: [useVP8()] },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid()] },
    iceServers: [{ urls: stun.url }],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ["127.0.0.1"],
    iceInterfaceAddresses: { udp4: "127.0.0.1" },
    bundlePolicy: "max-bundle",
  };
}

/**
 * The mids of m-lines that an offer rejects (port 0) yet lists in its BUNDLE
 * group, which RFC 8843 section 7.5.3 forbids. werift accepts such an offer,
 * Chrome does not, so the test client checks for itself.
 */
export function rejectedInBundle(sdp: string): string[] {
  const bundle = /^a=group:BUNDLE(.*)$/m.exec(sdp)?.[1]?.trim().split(/\s+/) ?? [];
  return sdp
    .split(/\r?\n(?=m=)/)
    .filter((section) => /^m=\S+ 0 /.test(section))
    .map((section) => /^a=mid:(\S+)/m.exec(section)?.[1] ?? "")
    .filter((mid) => bundle.includes(mid));
}

/** `sdp` without its candidate lines. */
export function withoutCandidates(sdp: string): string {
  return sdp.replace(/^a=(candidate|end-of-candidates).*\r?\n/gm, "");
}

/** What arrived on one downstream m-line. */
export interface MidStats {
  packets: number;
  /** Markers seen in payloads: `name/kind` of whoever sent them. */
  markers: Set<string>;
  ssrcs: Set<number>;
}

type EventOf<T extends ServerEvent["type"]> = Extract<ServerEvent, { type: T }>;

/** One connection's ICE as werift holds it: both ufrags, and whether a pair is selected. */
export interface IceView {
  local: string;
  remote: string;
  selected: boolean;
}

/** The ICE agent of a max-bundle werift connection (private in werift's types; a test rig). */
function iceView(pc: RTCPeerConnection): IceView {
  const [dtls] = (
    pc as unknown as {
      dtlsTransports: {
        iceTransport: {
          connection: { localUsername: string; remoteUsername: string; nominated?: object };
        };
      }[];
    }
  ).dtlsTransports;
  const c = dtls?.iceTransport.connection;
  if (!c) throw new Error("no ICE transport");
  return { local: c.localUsername, remote: c.remoteUsername, selected: c.nominated !== undefined };
}

/** An RTP packet as a tap sees it. */
export interface TappedPacket {
  payload: Buffer;
  marker: boolean;
  sequenceNumber: number;
}

/**
 * A headless participant: signalling over `ws`, synthetic audio and video up,
 * every forwarded track down, counted per mid.
 */
export class WeriftClient {
  private joined: Participant | undefined;
  private ticket: string | undefined;
  /** The `tracks` of the latest subscriber-offer: which mid carries whom. */
  tracks: TrackInfo[] = [];
  /** How many subscriber-offers were answered. */
  answeredOffers = 0;
  /** The SDP of the latest subscriber-offer. */
  lastOffer = "";
  /** Picture loss indications the SFU sent for our video: it wants a key frame. */
  keyframeRequests = 0;
  private readonly received = new Map<string, MidStats>();
  /** Sees every RTP packet received, with its mid: an SFU-side tap for tests of what the SFU forwards. */
  readonly taps = new Set<(mid: string, packet: TappedPacket) => void>();
  private upstream: RTCPeerConnection | undefined;
  private downstream: RTCPeerConnection | undefined;
  private sources: SyntheticSource[] = [];
  /** Subscriber-offers are answered one after another, in arrival order. */
  private answering: Promise<void> = Promise.resolve();
  private answerError: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly name: string,
    readonly signalling: SignallingClient,
    private config: Partial<PeerConfig>,
  ) {
    signalling.onMessage((m) => this.onMessage(m));
  }

  /** Connects to `baseUrl` and says hello. */
  static async connect(
    baseUrl: string,
    name: string,
    /** E.g. the `cookie` of an earlier connection, for a resume. */
    headers: Record<string, string> = {},
  ): Promise<WeriftClient> {
    const config = await loopbackPeerConfig();
    return new WeriftClient(name, await SignallingClient.greeted(baseUrl, headers), config);
  }

  /** The resume ticket of the last join, and the cookies it is bound to. */
  get resumption(): { ticket: string | undefined; cookie: string } {
    return { ticket: this.ticket, cookie: this.signalling.cookies };
  }

  /**
   * From now on, peer connections gather relay candidates only, through these
   * TURN servers (as from the join reply): a client behind a firewall that
   * lets nothing through but its TURN server.
   */
  relayThrough(iceServers: { urls: string[]; username: string; credential: string }[]): void {
    this.config = {
      ...this.config,
      iceServers: [...(this.config.iceServers ?? []), ...iceServers],
      iceTransportPolicy: "relay",
    };
  }

  /** The peer connections, for tests that send hostile packets over them. */
  get connections(): { upstream?: RTCPeerConnection; downstream?: RTCPeerConnection } {
    return {
      ...(this.upstream ? { upstream: this.upstream } : {}),
      ...(this.downstream ? { downstream: this.downstream } : {}),
    };
  }

  /** The participant id the server gave this client on join. */
  get id(): string {
    if (!this.joined) throw new Error(`${this.name} has not joined`);
    return this.joined.id;
  }

  /** Joins; the room must let this client straight in (lobby off, or the moderator link). */
  async join(roomId: string, moderatorToken?: string, resume?: string): Promise<Joined> {
    const result = await this.signalling.request({
      type: "join",
      roomId,
      name: this.name,
      moderatorToken,
      ...(resume ? { resume } : {}),
    });
    if (result.status !== "joined") throw new Error(`${this.name} was sent to the lobby`);
    this.joined = result.self;
    this.ticket = result.resume;
    return result;
  }

  /** Offers sendonly Opus and VP8 upstream and starts sending marked packets once answered. */
  async publish(): Promise<void> {
    if (this.upstream) throw new Error("already published");
    const pc = new RTCPeerConnection(this.config);
    this.upstream = pc;
    const sending: Array<[MediaStreamTrack, MediaKind, RTCRtpTransceiver]> = [];
    for (const kind of ["audio", "video"] as const) {
      const track = new MediaStreamTrack({ kind });
      sending.push([track, kind, pc.addTransceiver(track, { direction: "sendonly" })]);
    }
    await pc.setLocalDescription(await pc.createOffer());
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error("no local offer");
    const { sdp } = await this.signalling.request({ type: "publish", sdp: offer });
    await pc.setRemoteDescription({ type: "answer", sdp });
    for (const [track, kind, transceiver] of sending) {
      const source = new SyntheticSource(track, kind, marker(this.name, kind));
      // The SFU asks for a key frame for every new subscriber; answer like a browser would.
      if (kind === "video") {
        transceiver.sender.onPictureLossIndication.subscribe(() => {
          this.keyframeRequests++;
          source.requestKeyframe();
        });
      }
      this.sources.push(source);
    }
  }

  /** The next video packet never leaves, not even when asked for again (NACK). */
  loseVideoPacketForGood(): void {
    const video = this.sources.find((s) => s.kind === "video");
    if (!video) throw new Error(`${this.name} publishes no video`);
    video.loseNextPacket();
  }

  /** Both connections' ICE: ufrags and whether a candidate pair is selected. */
  ice(): { upstream: IceView; downstream: IceView } {
    if (!this.upstream || !this.downstream) throw new Error(`${this.name} has no media yet`);
    return { upstream: iceView(this.upstream), downstream: iceView(this.downstream) };
  }

  /**
   * Restarts ICE on both peer connections, as the browser client does when
   * its media path is lost: the upstream with a new offer (`publish` again),
   * the downstream by asking the SFU to offer anew (`subscriber-ice-restart`).
   * Resolves once both have new credentials; the connections stay the same.
   *
   * The offer and answer carry no candidates, as Chromium's restart offers
   * and answers do: the SFU learns the address from the checks alone.
   */
  async restartIce(): Promise<void> {
    // werift as a full agent never checks again after a restart either: the same fix.
    installWeriftPatches({ fastPath: false, native: false });
    const { upstream, downstream } = this;
    if (!upstream || !downstream) throw new Error(`${this.name} has no media yet`);
    const before = this.ice().downstream.remote;
    await upstream.setLocalDescription(await upstream.createOffer({ iceRestart: true }));
    const offer = upstream.localDescription?.sdp;
    if (!offer) throw new Error("no local offer");
    const { sdp } = await this.signalling.request({
      type: "publish",
      sdp: withoutCandidates(offer),
    });
    await upstream.setRemoteDescription({ type: "answer", sdp });
    const answered = this.answeredOffers;
    this.candidatesWithheld = true;
    try {
      await this.signalling.request({ type: "subscriber-ice-restart" });
      await waitFor(`${this.name} to answer the SFU's ICE restart offer`, () => {
        if (this.answerError) throw this.answerError;
        return this.answeredOffers > answered && this.ice().downstream.remote !== before;
      });
    } finally {
      this.candidatesWithheld = false;
    }
  }

  /** Set while an ICE restart's answer is due: it goes without candidates (see `restartIce`). */
  private candidatesWithheld = false;

  /** Sends `frames` (whole VP8 frames) as this client's video, instead of synthetic ones. */
  replayVideo(frames: Buffer[]): void {
    this.sources.find((s) => s.kind === "video")?.replay.push(...frames);
  }

  setMedia(media: MediaState): Promise<Results["media-state"]> {
    return this.signalling.request({ type: "media-state", media });
  }

  /** Leaves the room and hangs up both peer connections; the socket stays open. */
  async leave(): Promise<void> {
    await this.signalling.request({ type: "leave" });
    this.joined = undefined;
    await this.hangUp();
  }

  /** Waits for the next event of `type` that `match` accepts. */
  event<T extends ServerEvent["type"]>(
    type: T,
    match: (e: EventOf<T>) => boolean = () => true,
  ): Promise<EventOf<T>> {
    return this.signalling.take(
      `${this.name} to receive ${type}`,
      (m): m is EventOf<T> => m.type === type && match(m as EventOf<T>),
    );
  }

  /** What arrived on `mid` so far. */
  stats(mid: string): MidStats {
    return this.received.get(mid) ?? { packets: 0, markers: new Set(), ssrcs: new Set() };
  }

  /** The mid the latest offer gives `participantId`'s `kind`, if any. */
  midOf(participantId: string, kind: MediaKind): string | undefined {
    return this.tracks.find((t) => t.participantId === participantId && t.kind === kind)?.mid;
  }

  /** Packets received from `participantId`'s `kind`, by the latest offer's mapping. */
  packetsFrom(participantId: string, kind: MediaKind): number {
    const mid = this.midOf(participantId, kind);
    return mid === undefined ? 0 : this.stats(mid).packets;
  }

  /** Waits until at least `min` more packets of each kind arrive from `participantId`. */
  async waitForMediaFrom(participantId: string, min: number): Promise<void> {
    const start = {
      audio: this.packetsFrom(participantId, "audio"),
      video: this.packetsFrom(participantId, "video"),
    };
    await waitFor(
      `${this.name} to receive ${min} audio and video packets from ${participantId}`,
      () => {
        if (this.answerError) throw this.answerError;
        return (
          this.packetsFrom(participantId, "audio") >= start.audio + min &&
          this.packetsFrom(participantId, "video") >= start.video + min
        );
      },
    );
  }

  /** Waits until the latest answered offer's tracks satisfy `ready`. */
  async waitForTracks(what: string, ready: (tracks: TrackInfo[]) => boolean): Promise<void> {
    await waitFor(what, () => {
      if (this.answerError) throw this.answerError;
      return ready(this.tracks);
    });
  }

  private onMessage(message: ServerMessage): void {
    if (message.type !== "subscriber-offer") return;
    this.answering = this.answering
      .then(() => this.answer(message.sdp, message.tracks))
      .catch((error: Error) => {
        this.answerError ??= error;
      });
  }

  private async answer(sdp: string, tracks: TrackInfo[]): Promise<void> {
    if (this.closing) return;
    const bundledButRejected = rejectedInBundle(sdp);
    if (bundledButRejected.length > 0) {
      throw new Error(
        `the offer keeps rejected m-lines (mid ${bundledButRejected.join(", ")}) in its BUNDLE group; Chrome refuses the next offer after such a one`,
      );
    }
    this.downstream ??= this.createDownstream();
    const pc = this.downstream;
    await pc.setRemoteDescription({ type: "offer", sdp });
    // The SFU reuses the m-line of someone who left for the next source of its
    // kind: what arrived on it before belongs to the previous owner.
    for (const t of tracks) {
      const before = this.tracks.find((o) => o.mid === t.mid);
      if (before?.participantId !== t.participantId) this.received.delete(t.mid);
    }
    this.tracks = tracks;
    this.lastOffer = sdp;
    await pc.setLocalDescription(await pc.createAnswer());
    const local = pc.localDescription?.sdp;
    if (!local) throw new Error("no local answer");
    const answer = this.candidatesWithheld ? withoutCandidates(local) : local;
    await this.signalling.request({ type: "subscriber-answer", sdp: answer });
    this.answeredOffers++;
  }

  /**
   * Simulates loss on the way from the SFU: the first arrival of each packet
   * that `drop` picks never reaches the receiver (which then asks for it
   * again with a NACK); a retransmission of the same packet passes.
   */
  loseFirstArrivals(drop: (packet: RtpPacket) => boolean): {
    dropped: Set<string>;
    recovered: Set<string>;
  } {
    const dropped = new Set<string>();
    const recovered = new Set<string>();
    this.lossFilter = (packet) => {
      const key = `${packet.header.ssrc}/${packet.header.sequenceNumber}`;
      if (dropped.has(key)) {
        recovered.add(key);
        return true;
      }
      if (!drop(packet)) return true;
      dropped.add(key);
      return false;
    };
    return { dropped, recovered };
  }

  private lossFilter: ((packet: RtpPacket) => boolean) | undefined;

  private createDownstream(): RTCPeerConnection {
    const pc = new RTCPeerConnection(this.config);
    // werift hands every decrypted packet to its router; a filter in front of it is the wire.
    // (`router` is private in werift's types; this is a test rig, not product code.)
    const router = (pc as unknown as { router: { routeRtp(packet: RtpPacket): void } }).router;
    const route = router.routeRtp.bind(router);
    router.routeRtp = (packet: RtpPacket) => {
      if (!this.lossFilter || this.lossFilter(packet)) route(packet);
    };
    pc.onRemoteTransceiverAdded.subscribe((transceiver) => {
      // werift, answering an offer that adds m-lines, recycles a transceiver gone
      // inactive and gives it the new mid, although the offer still lists the
      // old one; the answer then fails ("Transceiver with mid=0 not found").
      // Browsers recycle only what the offerer recycled. This flag opts out.
      transceiver.usedForSender = true;
      transceiver.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((packet) => {
          const mid = transceiver.mid;
          if (mid === null) return;
          let stats = this.received.get(mid);
          if (!stats) {
            stats = { packets: 0, markers: new Set(), ssrcs: new Set() };
            this.received.set(mid, stats);
          }
          stats.packets++;
          for (const tap of this.taps)
            tap(mid, {
              payload: packet.payload,
              marker: packet.header.marker,
              sequenceNumber: packet.header.sequenceNumber,
            });
          stats.ssrcs.add(packet.header.ssrc);
          const found = readMarker(packet.payload);
          if (found) stats.markers.add(found);
        });
      });
    });
    return pc;
  }

  private async hangUp(): Promise<void> {
    for (const source of this.sources) source.stop();
    this.sources = [];
    const pcs = [this.upstream, this.downstream];
    this.upstream = undefined;
    this.downstream = undefined;
    // A new downstream connection numbers its mids afresh.
    this.tracks = [];
    this.received.clear();
    await Promise.allSettled(pcs.map((pc) => pc?.close()));
  }

  /** Stops sending, closes both peer connections and the socket; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.hangUp();
      await this.signalling.close();
    })();
    return this.closing;
  }
}
