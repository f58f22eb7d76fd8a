/**
 * The media layer's whole surface. It knows nothing of rooms, roles or policy:
 * the room decides who subscribes to whom; the engine moves packets. Another
 * engine (a worker pool, another SFU) plugs in by implementing these two types.
 */
export type MediaKind = "audio" | "video";

/** One downstream m-line: which source's which kind arrives on `mid`. */
export interface ForwardedTrack {
  mid: string;
  sourceLabel: string;
  kind: MediaKind;
}

export interface PeerEvents {
  /** The engine wants the client to accept a new downstream offer. */
  offer(sdp: string, tracks: ForwardedTrack[]): void;
  /** The peer's media connection failed for good; the owner should close it. */
  failed(reason: string): void;
}

/** One participant's media: an upstream (what they send) and a downstream (what they get). */
export interface MediaPeer {
  /** Opaque to the engine; shown back in `ForwardedTrack.sourceLabel`. */
  readonly label: string;
  /** Answers the client's offer for its upstream connection. */
  publish(offerSdp: string): Promise<string>;
  /** Starts forwarding every track `source` publishes (now or later) to this peer. */
  subscribe(source: MediaPeer): void;
  /** Stops forwarding `source` to this peer. */
  unsubscribe(source: MediaPeer): void;
  /**
   * Holds back (or resumes) what this peer sends of `kind`, for everyone: how
   * a moderator's mute is enforced rather than merely requested.
   */
  pause(kind: MediaKind, paused: boolean): void;
  /** Applies the client's answer to the last downstream offer. */
  acceptAnswer(sdp: string): Promise<void>;
  /** Idempotent; releases ports and stops every forward into and out of this peer. */
  close(): void;
}

export interface MediaEngine {
  createPeer(label: string, events: PeerEvents): MediaPeer;
  /** Idempotent; closes every peer. */
  close(): void;
}
