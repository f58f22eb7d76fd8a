import type { IceServer, MediaSource } from "../../protocol/messages";
import type { E2ee } from "./e2ee/controller";
import { MediaWatchdog } from "./media-watchdog";
import { Publisher } from "./publisher";
import type { Signalling } from "./signalling";
import { type RemoteStreams, Subscriber } from "./subscriber";

export interface MediaConnectionHooks {
  /** The subscriber's streams changed (who is seen and heard on which track). */
  streams(streams: RemoteStreams): void;
  /**
   * A connection stayed `disconnected` or failed, and an ICE restart did not
   * bring it back: replace both (see `Meeting.restartMedia`).
   */
  restart(reason: string): void;
  /** A new connection never came up: the signalling should reconnect too. */
  escalate(reason: string): void;
}

/**
 * This person's two peer connections with the SFU, a publisher (what they
 * send) and a subscriber (what they receive), each watched for a lost media
 * path and restarting its own ICE when it is lost; with the operator's TURN
 * servers and the encryption group, if any.
 */
export class MediaConnections {
  publisher: Publisher | undefined;
  subscriber: Subscriber | undefined;
  private watchdogs: MediaWatchdog[] = [];
  /** The operator's TURN servers from the last join reply (none without TURN). */
  private iceServers: readonly IceServer[] = [];

  constructor(private readonly hooks: MediaConnectionHooks) {}

  /**
   * The receiving side, on a new peer connection (the server offers it).
   * Without `decided`, its offers wait until `decryptWith` says whether the
   * meeting is encrypted (once the join result is in).
   */
  receive(signalling: Signalling, decided?: { e2ee: E2ee | undefined }): void {
    const subscriber = new Subscriber(signalling, (streams) => this.hooks.streams(streams));
    this.subscriber = subscriber;
    subscriber.useIceServers(this.iceServers);
    if (decided) subscriber.decryptWith(decided.e2ee);
    this.watch(subscriber.connection, () => subscriber.restartIce());
  }

  /** The sending side, on a new peer connection, with `tracks` (the devices that are on). */
  async publish(
    signalling: Signalling,
    e2ee: E2ee | undefined,
    tracks: { audio?: MediaStreamTrack; video?: MediaStreamTrack },
  ): Promise<void> {
    const publisher = new Publisher(e2ee, this.iceServers);
    this.publisher = publisher;
    this.watch(publisher.connection, () => publisher.restartIce());
    await publisher.send("microphone", tracks.audio ?? null);
    await publisher.send("camera", tracks.video ?? null);
    await publisher.start(signalling);
  }

  /** The join reply's TURN servers, for the subscriber now and every connection after. */
  useIceServers(iceServers: readonly IceServer[]): void {
    this.iceServers = iceServers;
    this.subscriber?.useIceServers(iceServers);
  }

  /** Puts `track` (or nothing) in the publisher's slot for `source`. */
  async send(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    await this.publisher?.send(source, track);
  }

  /** Closes both peer connections and their watchdogs; idempotent. */
  close(): void {
    for (const w of this.watchdogs) w.close();
    this.watchdogs = [];
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = undefined;
    this.subscriber = undefined;
  }

  private watch(pc: RTCPeerConnection, restartIce: () => Promise<void>): void {
    this.watchdogs.push(
      new MediaWatchdog(pc, {
        restartIce,
        replace: this.hooks.restart,
        escalate: this.hooks.escalate,
      }),
    );
  }
}
