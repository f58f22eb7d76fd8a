import type { MediaPeer, MediaSource, PeerEvents, SourceMapping, VideoPreference } from "../types";
import type { PeerMethod } from "./protocol";

/** What a proxy needs of the worker it lives on. */
export interface PeerHost {
  /** Sends a call and resolves with the worker's result. */
  call(peer: WorkerPeer, method: PeerMethod, args: unknown[]): Promise<unknown>;
  /** Sends a call whose result nobody waits for. */
  cast(peer: WorkerPeer, method: PeerMethod, args: unknown[]): void;
  /** The proxy closed; the host forgets it. */
  closed(peer: WorkerPeer): void;
}

type PeerState = "open" | "closed" | "lost";

/**
 * A participant's media as the main thread sees it: each method is one line
 * that sends the call to the worker that holds the real peer. A new
 * `MediaPeer` method needs one line here and nothing else.
 */
export class WorkerPeer implements MediaPeer {
  private state: PeerState = "open";

  constructor(
    readonly id: number,
    readonly label: string,
    readonly events: PeerEvents,
    private readonly host: PeerHost,
  ) {}

  publish(offerSdp: string, sources?: SourceMapping[]): Promise<string> {
    return this.call("publish", offerSdp, sources) as Promise<string>;
  }
  setForwarding(source: MediaSource, on: boolean): void {
    this.cast("setForwarding", source, on);
  }
  subscribe(source: MediaPeer): void {
    // A peer lost with a crashed worker (its owner is parked, waiting to resume) forwards nothing.
    if (this.state !== "open" || (source instanceof WorkerPeer && !source.isOpen)) return;
    this.cast("subscribe", this.sibling(source));
  }
  unsubscribe(source: MediaPeer): void {
    if (this.state !== "open" || (source instanceof WorkerPeer && !source.isOpen)) return;
    this.cast("unsubscribe", this.sibling(source));
  }
  pause(source: MediaSource, paused: boolean): void {
    this.cast("pause", source, paused);
  }
  setVideoPreferences(preferences: VideoPreference[]): void {
    this.cast("setVideoPreferences", preferences);
  }
  acceptAnswer(sdp: string): Promise<void> {
    return this.call("acceptAnswer", sdp) as Promise<void>;
  }
  restartDownstreamIce(): void {
    this.cast("restartDownstreamIce");
  }

  close(): void {
    if (this.state === "closed") return;
    if (this.state === "open") this.host.cast(this, "close", []);
    this.state = "closed";
    this.host.closed(this);
  }

  /** The worker holding this peer died: from now on every call is a no-op (or rejects). */
  lose(reason: string): void {
    if (this.state !== "open") return;
    this.state = "lost";
    this.events.lost(reason);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  private call(method: PeerMethod, ...args: unknown[]): Promise<unknown> {
    if (this.state !== "open") return Promise.reject(new Error(`media peer is ${this.state}`));
    return this.host.call(this, method, args);
  }

  private cast(method: PeerMethod, ...args: unknown[]): void {
    if (this.state === "open") this.host.cast(this, method, args);
  }

  /** Peers forward to each other only within one worker (one room lives on one). */
  private sibling(peer: MediaPeer): WorkerPeer {
    if (!(peer instanceof WorkerPeer) || peer.host !== this.host)
      throw new TypeError("peers of different media workers cannot be mixed");
    return peer;
  }
}
