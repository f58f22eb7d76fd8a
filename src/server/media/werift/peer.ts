import type { PeerConfig } from "werift";
import type {
  ForwardingStats,
  MediaPeer,
  MediaSource,
  PeerEvents,
  SourceMapping,
  VideoPreference,
} from "../types";
import { Downstream } from "./downstream";
import { Upstream } from "./upstream";

/** One participant's media on werift: an upstream and a downstream peer connection. */
export class WeriftPeer implements MediaPeer {
  readonly upstream: Upstream;
  private readonly downstream: Downstream;
  /** Disposers of the track watchers this peer placed on its sources. */
  private readonly subscriptions = new Map<WeriftPeer, () => void>();
  private closed = false;

  constructor(
    readonly label: string,
    config: { upstream: Partial<PeerConfig>; downstream: Partial<PeerConfig>; lastN: number },
    events: PeerEvents,
    private readonly onClose: (peer: WeriftPeer) => void,
  ) {
    this.upstream = new Upstream(config.upstream);
    this.upstream.pc.connectionStateChange.subscribe((state) => {
      if (state === "failed") events.failed("upstream connection failed");
    });
    this.downstream = new Downstream(config.downstream, events, config.lastN);
  }

  setVideoPreferences(preferences: VideoPreference[]): void {
    if (!this.closed) this.downstream.setPreferences(preferences);
  }

  /** Layer switches and the downlink estimate of this subscriber, for metrics. */
  get forwardingStats(): ForwardingStats {
    return this.downstream.stats;
  }

  publish(offerSdp: string, sources?: SourceMapping[]): Promise<string> {
    return this.upstream.answer(offerSdp, sources);
  }

  setForwarding(source: MediaSource, on: boolean): void {
    this.upstream.setForwarding(source, on);
  }

  pause(source: MediaSource, paused: boolean): void {
    this.upstream.pause(source, paused);
  }

  subscribe(source: MediaPeer): void {
    const peer = asWeriftPeer(source);
    if (this.closed || peer === this || this.subscriptions.has(peer)) return;
    const stop = peer.upstream.watchTracks((source, forwarded) => {
      if (forwarded) this.downstream.add(peer.label, source, peer.upstream);
      else this.downstream.remove(peer.label, source);
    });
    this.subscriptions.set(peer, stop);
  }

  unsubscribe(source: MediaPeer): void {
    const peer = asWeriftPeer(source);
    const stop = this.subscriptions.get(peer);
    if (!stop) return;
    stop();
    this.subscriptions.delete(peer);
    if (!this.closed) this.downstream.removeSource(peer.label);
  }

  acceptAnswer(sdp: string): Promise<void> {
    return this.downstream.acceptAnswer(sdp);
  }

  restartDownstreamIce(): void {
    if (!this.closed) this.downstream.restartIce();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.subscriptions.values()) stop();
    this.subscriptions.clear();
    this.downstream.close();
    this.upstream.close();
    this.onClose(this);
  }
}

function asWeriftPeer(peer: MediaPeer): WeriftPeer {
  if (!(peer instanceof WeriftPeer))
    throw new TypeError("peers of different media engines cannot be mixed");
  return peer;
}
