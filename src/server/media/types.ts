/**
 * The media layer's whole surface. It knows nothing of rooms, roles or policy:
 * the room decides who subscribes to whom; the engine moves packets. Another
 * engine (a worker pool, another SFU) plugs in by implementing these two types.
 */
export type MediaKind = "audio" | "video";

/** What an upstream m-line carries. A peer sends at most one track of each. */
export type MediaSource = "microphone" | "camera" | "screen";

export function kindOf(source: MediaSource): MediaKind {
  return source === "microphone" ? "audio" : "video";
}

/** The client's statement of which upstream m-line carries which source. */
export interface SourceMapping {
  mid: string;
  source: MediaSource;
}

/** One downstream m-line: which peer's which source arrives on `mid`. */
export interface ForwardedTrack {
  mid: string;
  sourceLabel: string;
  kind: MediaKind;
  source: MediaSource;
}

/**
 * How the subscriber shows one video source: the tile's size in device
 * pixels, or hidden (scrolled out, minimised, audio-only). Plain data, so
 * that it crosses a worker thread boundary as it is.
 */
export interface VideoPreference {
  sourceLabel: string;
  source: MediaSource;
  width: number;
  height: number;
  hidden: boolean;
}

/** Counters of one peer's forwarding, for metrics. */
export interface ForwardingStats {
  /** Simulcast layer changes (including resuming a paused source) made for this subscriber. */
  layerSwitches: number;
  /** The estimate of this subscriber's downlink in bits per second. */
  downlink: number;
}

export interface PeerEvents {
  /** The engine wants the client to accept a new downstream offer. */
  offer(sdp: string, tracks: ForwardedTrack[]): void;
  /** The peer's media connection failed for good; the owner should close it. */
  failed(reason: string): void;
  /**
   * The estimate of the subscriber's downlink changed markedly (bits per
   * second; at most every two seconds), so the client can suggest audio-only.
   */
  downlink?(bitrate: number): void;
  /** The counters changed (a layer switch); for metrics. */
  stats?(stats: ForwardingStats): void;
  /**
   * The engine lost this peer without a fault of the client (its media worker
   * crashed): every method is a no-op from now on, and the owner should have
   * the client connect again.
   */
  lost(reason: string): void;
}

/** One participant's media: an upstream (what they send) and a downstream (what they get). */
export interface MediaPeer {
  /** Opaque to the engine; shown back in `ForwardedTrack.sourceLabel`. */
  readonly label: string;
  /**
   * Answers the client's offer for its upstream connection. Without `sources`,
   * the first audio m-line is the microphone and the first video the camera.
   */
  publish(offerSdp: string, sources?: SourceMapping[]): Promise<string>;
  /**
   * Whether packets of `source` are forwarded at all. Microphone and camera
   * are forwarded from the start, the screen only once the room allowed it.
   */
  setForwarding(source: MediaSource, on: boolean): void;
  /** Starts forwarding every track `source` publishes (now or later) to this peer. */
  subscribe(source: MediaPeer): void;
  /** Stops forwarding `source` to this peer. */
  unsubscribe(source: MediaPeer): void;
  /**
   * Holds back (or resumes) what this peer sends of `kind`, for everyone: how
   * a moderator's mute is enforced rather than merely requested.
   */
  pause(source: MediaSource, paused: boolean): void;
  /**
   * How this subscriber shows others' video (replaces the previous list;
   * sources not in it may get any layer). Chooses the simulcast layer per
   * source, or pauses a hidden one.
   */
  setVideoPreferences(preferences: VideoPreference[]): void;
  /** Applies the client's answer to the last downstream offer. */
  acceptAnswer(sdp: string): Promise<void>;
  /**
   * The client lost the downstream's path: the next downstream offer (sent
   * now, or after the answer to one outstanding) restarts ICE, with new credentials.
   */
  restartDownstreamIce(): void;
  /** Idempotent; releases ports and stops every forward into and out of this peer. */
  close(): void;
}

export interface MediaEngine {
  /**
   * `group` (the room) keeps peers that forward to each other together: an
   * engine may place groups apart (one worker thread each), never a group's peers.
   */
  createPeer(label: string, events: PeerEvents, group: string): MediaPeer;
  /** Idempotent; closes every peer. */
  close(): void;
}
