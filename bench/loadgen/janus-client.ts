import type { PeerConfig, RTCPeerConnection } from "werift";
import { type JanusMessage, JanusSession } from "./janus-api";
import type { StampedSource } from "./media";
import type { ClientSpec, JoinResult, MediaSettings } from "./messages";
import { failure, publishingPeer, receivingPeer } from "./peer";
import { type BenchClient, FIRST_MEDIA_DEADLINE_MS, sentOf, within } from "./plenum-client";
import type { ReceiveCounter } from "./receive";
import { TILES } from "./tiles";

/** The Janus room number of the harness's room `index`. */
export function janusRoom(index: number): number {
  return 1000 + index;
}

/** Creates the rooms on Janus (VideoRoom `create`), returning their numbers as strings. */
export async function createJanusRooms(baseUrl: string, count: number): Promise<string[]> {
  const session = await JanusSession.create(baseUrl);
  try {
    const handle = await session.attach();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      await session.message(handle, {
        request: "create",
        room: janusRoom(i),
        publishers: 1000,
        videocodec: "vp8",
        audiocodec: "opus",
        notify_joining: false,
      });
      ids.push(String(janusRoom(i)));
    }
    return ids;
  } finally {
    await session.destroy();
  }
}

/**
 * The same participant against Janus's VideoRoom: a publisher handle (join,
 * publish with the offer, wait for `webrtcup`) and one subscriber handle for
 * all the room's other feeds (Janus offers, we answer and `start`).
 */
export class JanusBenchClient implements BenchClient {
  private session: JanusSession | undefined;
  private upstream: RTCPeerConnection | undefined;
  private downstream: RTCPeerConnection | undefined;
  private sources: StampedSource[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    readonly spec: ClientSpec,
    private readonly baseUrl: string,
    private readonly config: Partial<PeerConfig>,
    private readonly media: MediaSettings,
    private readonly random: () => number,
    private readonly counter: ReceiveCounter,
  ) {}

  async join(): Promise<JoinResult> {
    const t0 = performance.now();
    const room = janusRoom(this.spec.room);
    const session = await JanusSession.create(this.baseUrl);
    this.session = session;
    const kinds = (["audio", "video"] as const).filter((k) => this.spec.publish[k]);
    if (kinds.length > 0) {
      let up!: () => void;
      const webrtcUp = new Promise<void>((resolve) => {
        up = resolve;
      });
      const handle = await session.attach((m) => {
        if (m.janus === "webrtcup") up();
        this.trickle(this.upstream, m);
      });
      await session.message(handle, {
        request: "join",
        ptype: "publisher",
        room,
        id: this.spec.feed,
        display: this.spec.name,
      });
      const peer = await publishingPeer(
        this.config,
        [...kinds],
        this.media.videoLayers === 3 ? "high-first" : undefined,
      );
      this.upstream = peer.pc;
      const reply = await session.message(
        handle,
        { request: "publish", audio: this.spec.publish.audio, video: this.spec.publish.video },
        { type: "offer", sdp: peer.offer },
      );
      if (!reply.jsep) throw new Error("Janus publish: no answer");
      if (process.env.BENCH_DEBUG)
        console.error(`${this.spec.name} offer:\n${peer.offer}\nanswer:\n${reply.jsep.sdp}`);
      await peer.pc.setRemoteDescription(reply.jsep);
      await session.trickleCompleted(handle);
      this.sources = peer.start(this.media, this.random);
      // Janus knows the feed only once its connection is up (else a subscriber gets 428 "No such feed").
      await within(
        Promise.race([webrtcUp, failure(peer.pc, "upstream")]),
        FIRST_MEDIA_DEADLINE_MS,
        `webrtcup for ${this.spec.name}`,
      );
    }
    const feeds = this.spec.feeds ?? [];
    if (!this.spec.subscribe || feeds.length === 0) {
      return {
        name: this.spec.name,
        ok: true,
        ...(this.spec.feed ? { feed: this.spec.feed } : {}),
      };
    }
    let firstMedia!: () => void;
    const first = new Promise<void>((resolve) => {
      firstMedia = resolve;
    });
    const handle = await session.attach((m) => this.trickle(this.downstream, m));
    const tile = this.spec.tile && this.media.videoLayers === 3 ? TILES[this.spec.tile] : undefined;
    const pc = receivingPeer(
      this.config,
      this.spec.name,
      this.counter,
      firstMedia,
      tile ? { wantedLayer: tile.layer } : {},
    );
    this.downstream = pc;
    const attached = await session.message(handle, {
      request: "join",
      ptype: "subscriber",
      room,
      streams: feeds.map((feed) => ({ feed })),
    });
    if (!attached.jsep) throw new Error("Janus subscribe: no offer");
    await pc.setRemoteDescription(attached.jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error("no local answer");
    await session.message(handle, { request: "start" }, { type: "answer", sdp });
    await session.trickleCompleted(handle);
    if (tile) {
      // The substream that fits the tile (0 = q), as Plenum's allocation would choose it.
      const streams = (attached.plugindata?.data.streams ?? []) as {
        type?: string;
        mid?: string;
      }[];
      const video = streams.filter((s) => s.type === "video" && s.mid !== undefined);
      if (video.length > 0)
        await session.message(handle, {
          request: "configure",
          streams: video.map((s) => ({ mid: s.mid, substream: tile.layer })),
        });
    }
    await within(
      Promise.race([first, failure(pc, "downstream")]),
      FIRST_MEDIA_DEADLINE_MS,
      `media for ${this.spec.name}`,
    );
    return { name: this.spec.name, ok: true, joinMs: performance.now() - t0 };
  }

  sent(): { audio: number; video: number } {
    return sentOf(this.sources);
  }

  private trickle(pc: RTCPeerConnection | undefined, m: JanusMessage): void {
    if (m.janus !== "trickle" || !pc || !m.candidate || m.candidate.completed) return;
    const { candidate, sdpMid, sdpMLineIndex } = m.candidate;
    if (!candidate) return;
    void pc
      .addIceCandidate({
        candidate,
        ...(sdpMid !== undefined ? { sdpMid } : {}),
        ...(sdpMLineIndex !== undefined ? { sdpMLineIndex } : {}),
      })
      .catch(() => undefined);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const s of this.sources) s.stop();
      await Promise.allSettled([this.upstream?.close(), this.downstream?.close()]);
      await this.session?.destroy();
    })();
    return this.closing;
  }
}
