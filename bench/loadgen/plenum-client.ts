import type { PeerConfig, RTCPeerConnection } from "werift";
import type { ServerMessage, TrackInfo } from "../../src/protocol/messages";
import { SignallingClient } from "../../test/support/signalling-client";
import type { StampedSource } from "./media";
import type { ClientSpec, JoinResult, MediaSettings } from "./messages";
import { connected, failure, publishingPeer, receivingPeer } from "./peer";
import type { ReceiveCounter } from "./receive";
import { TILES } from "./tiles";

export interface BenchClient {
  readonly spec: ClientSpec;
  /** Packets this client's sources have sent so far, per kind. */
  sent(): { audio: number; video: number };
  join(): Promise<JoinResult>;
  close(): Promise<void>;
}

/** Waits for `promise` at most `ms`, naming `what` when it does not come. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]);
}

export function sentOf(sources: StampedSource[]): { audio: number; video: number } {
  const out = { audio: 0, video: 0 };
  for (const s of sources) out[s.kind] += s.sent;
  return out;
}

export const FIRST_MEDIA_DEADLINE_MS = 30_000;

/** A participant speaking Plenum's real protocol: hello, join, publish, subscriber-answer. */
export class PlenumBenchClient implements BenchClient {
  private signalling: SignallingClient | undefined;
  private upstream: RTCPeerConnection | undefined;
  private downstream: RTCPeerConnection | undefined;
  private sources: StampedSource[] = [];
  private answering: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(
    readonly spec: ClientSpec,
    private readonly baseUrl: string,
    private readonly roomId: string,
    private readonly config: Partial<PeerConfig>,
    private readonly media: MediaSettings,
    private readonly random: () => number,
    private readonly counter: ReceiveCounter,
  ) {}

  async join(): Promise<JoinResult> {
    const t0 = performance.now();
    let firstMedia!: () => void;
    const first = new Promise<void>((resolve, reject) => {
      firstMedia = resolve;
      this.downstreamFailed = reject;
    });
    first.catch(() => undefined);
    const signalling = await SignallingClient.greeted(this.baseUrl);
    this.signalling = signalling;
    signalling.onMessage((m) => this.onMessage(m, firstMedia));
    const joined = await signalling.request({
      type: "join",
      roomId: this.roomId,
      name: this.spec.name,
    });
    if (joined.status !== "joined") throw new Error(`${this.spec.name} was sent to the lobby`);
    const kinds = (["audio", "video"] as const).filter((k) => this.spec.publish[k]);
    if (kinds.length > 0) {
      const peer = await publishingPeer(
        this.config,
        [...kinds],
        this.media.videoLayers === 3 ? "low-first" : undefined,
      );
      this.upstream = peer.pc;
      const { sdp } = await signalling.request({ type: "publish", sdp: peer.offer });
      await peer.pc.setRemoteDescription({ type: "answer", sdp });
      this.sources = peer.start(this.media, this.random);
      await within(connected(peer.pc, "upstream"), FIRST_MEDIA_DEADLINE_MS, "upstream connection");
    }
    if (!this.spec.subscribe) return { name: this.spec.name, ok: true };
    await within(first, FIRST_MEDIA_DEADLINE_MS, `media for ${this.spec.name}`).catch((error) => {
      throw new Error(`${(error as Error).message} (${this.describe()})`);
    });
    return { name: this.spec.name, ok: true, joinMs: performance.now() - t0 };
  }

  sent(): { audio: number; video: number } {
    return sentOf(this.sources);
  }

  /** Where the downstream connection got to, for the error of a client that got no media. */
  private describe(): string {
    const pc = this.downstream;
    if (!pc) return "no subscriber-offer came";
    return `${this.answered} offer(s) answered, ICE ${pc.iceConnectionState}, connection ${pc.connectionState}`;
  }

  private answered = 0;
  private downstreamFailed: (error: Error) => void = () => undefined;

  private onMessage(message: ServerMessage, firstMedia: () => void): void {
    if (message.type !== "subscriber-offer") return;
    this.answering = this.answering
      .then(async () => {
        if (this.closing || !this.signalling) return;
        if (!this.downstream) {
          const tile =
            this.spec.tile && this.media.videoLayers === 3 ? TILES[this.spec.tile] : undefined;
          this.downstream = receivingPeer(
            this.config,
            this.spec.name,
            this.counter,
            firstMedia,
            tile ? { wantedLayer: tile.layer } : {},
          );
          failure(this.downstream, "downstream").catch(this.downstreamFailed);
        }
        const pc = this.downstream;
        await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
        await pc.setLocalDescription(await pc.createAnswer());
        const sdp = pc.localDescription?.sdp;
        if (!sdp) throw new Error("no local answer");
        await this.signalling.request({ type: "subscriber-answer", sdp });
        this.answered++;
        await this.tellTiles(message.tracks);
        if (process.env.BENCH_DEBUG)
          console.error(`${this.spec.name}: offer ${this.answered} answered`);
      })
      .catch((error: Error) => {
        if (!this.closing) console.error(`${this.spec.name}: answering failed: ${error.message}`);
      });
  }

  private tilesSent = "";

  /**
   * Like the browser's tile watcher: every camera offered is shown at this
   * subscriber's tile size, and the list goes out when it changed.
   */
  private async tellTiles(tracks: TrackInfo[]): Promise<void> {
    const size = this.spec.tile ? TILES[this.spec.tile] : undefined;
    if (!size || !this.signalling) return;
    const tiles = tracks
      .filter((t) => t.kind === "video" && t.source === "camera")
      .map((t) => ({
        participantId: t.participantId,
        source: "camera" as const,
        width: size.width,
        height: size.height,
        hidden: false,
      }))
      .sort((a, b) => a.participantId.localeCompare(b.participantId));
    const text = JSON.stringify(tiles);
    if (text === this.tilesSent) return;
    this.tilesSent = text;
    await this.signalling.request({ type: "video-preferences", tiles });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const s of this.sources) s.stop();
      await Promise.allSettled([this.upstream?.close(), this.downstream?.close()]);
      await this.signalling?.close();
    })();
    return this.closing;
  }
}
