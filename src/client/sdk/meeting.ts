import type { MediaState, Participant, Role, ServerEvent } from "../../protocol/messages";
import { DeviceError, openDevice } from "./devices";
import { Emitter } from "./emitter";
import { Publisher } from "./publisher";
import { RequestError, Signalling } from "./signalling";
import { Subscriber } from "./subscriber";

export interface RemoteParticipant extends Participant {
  /** Their audio and video as received; absent until the first offer maps them. */
  stream?: MediaStream;
}

/** Where the meeting is; each state carries only what exists in it. */
export type MeetingStatus =
  | { status: "idle" }
  | { status: "joining" }
  | { status: "joined"; self: Participant; role: Role }
  | { status: "left" }
  | { status: "failed"; code: string; message: string };

export interface MeetingSnapshot {
  status: MeetingStatus;
  participants: RemoteParticipant[];
  /** What this participant sends; a device is on exactly when its track exists. */
  local: { audio?: MediaStreamTrack; video?: MediaStreamTrack };
  /** The last device problem, for the UI to explain. */
  deviceError?: DeviceError;
}

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorToken?: string;
}

/**
 * One person's meeting: the signalling session, the two peer connections and
 * their own devices. UI code reads snapshots and calls methods; it never
 * touches WebRTC or the protocol itself.
 */
export class Meeting {
  readonly events = new Emitter<{ change: [MeetingSnapshot] }>();
  private statusValue: MeetingStatus = { status: "idle" };
  private readonly participants = new Map<string, RemoteParticipant>();
  private local: MeetingSnapshot["local"] = {};
  private deviceError: DeviceError | undefined;
  private signalling: Signalling | undefined;
  private publisher: Publisher | undefined;
  private subscriber: Subscriber | undefined;

  snapshot(): MeetingSnapshot {
    return {
      status: this.statusValue,
      participants: [...this.participants.values()].map((p) => ({ ...p })),
      local: { ...this.local },
      deviceError: this.deviceError,
    };
  }

  /** Switches the microphone or camera on (opening the device) or off (releasing it). */
  async setDevice(kind: "audio" | "video", on: boolean): Promise<void> {
    const current = this.local[kind];
    if (on === (current !== undefined)) return;
    if (on) {
      try {
        const track = await openDevice(kind);
        this.local = { ...this.local, [kind]: track };
        this.deviceError = undefined;
      } catch (error) {
        this.deviceError = error instanceof DeviceError ? error : new DeviceError("unknown", kind);
        this.changed();
        return;
      }
    } else {
      // Stopping the track releases the device: the camera light goes off.
      current?.stop();
      const { [kind]: _, ...rest } = this.local;
      this.local = rest;
    }
    this.changed();
    await this.publisher?.send(kind, this.local[kind] ?? null);
    await this.announceMedia();
  }

  async join(options: JoinOptions): Promise<void> {
    if (this.statusValue.status === "joining" || this.statusValue.status === "joined") return;
    this.setStatus({ status: "joining" });
    try {
      const signalling = await Signalling.connect();
      this.signalling = signalling;
      signalling.events.on("event", (e) => this.handleEvent(e));
      signalling.events.on("closed", (reason) => this.connectionLost(reason));
      this.subscriber = new Subscriber(signalling, (streams) => this.attachStreams(streams));
      const joined = await signalling.request("join", {
        roomId: options.roomId,
        name: options.name,
        ...(options.moderatorToken ? { moderatorToken: options.moderatorToken } : {}),
      });
      this.participants.clear();
      for (const p of joined.participants) {
        this.participants.set(p.id, { ...p, stream: this.subscriber.streamOf(p.id) });
      }
      this.setStatus({ status: "joined", self: joined.self, role: joined.role });
      this.publisher = new Publisher();
      await this.publisher.send("audio", this.local.audio ?? null);
      await this.publisher.send("video", this.local.video ?? null);
      await this.publisher.start(signalling);
      await this.announceMedia();
    } catch (error) {
      const { code, message } =
        error instanceof RequestError
          ? error
          : { code: "internal", message: (error as Error).message };
      this.teardown();
      this.setStatus({ status: "failed", code, message });
    }
  }

  /** Leaves the meeting; devices are released. */
  async leave(): Promise<void> {
    if (this.statusValue.status !== "joined") return;
    await this.signalling?.request("leave", {}).catch(() => undefined);
    this.teardown();
    this.releaseDevices();
    this.setStatus({ status: "left" });
  }

  /** Releases everything; idempotent. */
  close(): void {
    this.teardown();
    this.releaseDevices();
    this.events.clear();
  }

  private handleEvent(event: ServerEvent): void {
    switch (event.type) {
      case "participant-joined":
      case "participant-updated": {
        const { id } = event.participant;
        this.participants.set(id, { ...event.participant, stream: this.subscriber?.streamOf(id) });
        break;
      }
      case "participant-left":
        this.participants.delete(event.participantId);
        break;
      case "subscriber-offer":
        this.subscriber?.handleOffer(event.sdp, event.tracks);
        return;
    }
    this.changed();
  }

  private attachStreams(streams: ReadonlyMap<string, MediaStream>): void {
    for (const [id, p] of this.participants) {
      this.participants.set(id, { ...p, stream: streams.get(id) });
    }
    this.changed();
  }

  private async announceMedia(): Promise<void> {
    if (this.statusValue.status !== "joined" || !this.signalling) return;
    const media: MediaState = {
      audio: this.local.audio !== undefined,
      video: this.local.video !== undefined,
    };
    await this.signalling.request("media-state", { media }).catch(() => undefined);
  }

  private connectionLost(reason: string): void {
    if (this.statusValue.status !== "joined" && this.statusValue.status !== "joining") return;
    this.teardown();
    this.setStatus({ status: "failed", code: "disconnected", message: reason });
  }

  private teardown(): void {
    this.publisher?.close();
    this.subscriber?.close();
    this.signalling?.close();
    this.publisher = undefined;
    this.subscriber = undefined;
    this.signalling = undefined;
    this.participants.clear();
  }

  private releaseDevices(): void {
    this.local.audio?.stop();
    this.local.video?.stop();
    this.local = {};
  }

  private setStatus(status: MeetingStatus): void {
    this.statusValue = status;
    this.changed();
  }

  private changed(): void {
    this.events.emit("change", this.snapshot());
  }
}
