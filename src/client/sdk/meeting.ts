import type {
  Joined,
  MediaState,
  ModerationAction,
  Participant,
  RoomSettings,
  ServerEvent,
  Waiter,
} from "../../protocol/messages";
import { DeviceError, openDevice } from "./devices";
import { Emitter } from "./emitter";
import { Moderation } from "./moderation";
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
  /** Waiting in the lobby for a moderator; nothing of the meeting is known yet. */
  | { status: "lobby" }
  | { status: "joined"; self: Participant; locked: boolean; settings: RoomSettings }
  | { status: "left" }
  | { status: "denied" }
  | { status: "removed"; reason: "kicked" | "ended" }
  | { status: "failed"; code: string; message: string };

/** Something a moderator did to this person, shown until dismissed. */
export interface Notice {
  action: ModerationAction;
  /** The moderator's name, if still in the meeting. */
  by: string;
}

export interface MeetingSnapshot {
  status: MeetingStatus;
  participants: RemoteParticipant[];
  /** What this participant sends; a device is on exactly when its track exists. */
  local: { audio?: MediaStreamTrack; video?: MediaStreamTrack };
  /** The last device problem, for the UI to explain. */
  deviceError?: DeviceError;
  /** People waiting in the lobby (moderators only). */
  waiting: Waiter[];
  notice?: Notice;
}

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorToken?: string;
  password?: string;
}

/**
 * One person's meeting: the signalling session, the two peer connections and
 * their own devices. UI code reads snapshots and calls methods; it never
 * touches WebRTC or the protocol itself.
 */
export class Meeting {
  readonly events = new Emitter<{ change: [MeetingSnapshot] }>();
  /** Moderator commands; the server refuses them to anyone without the permission. */
  readonly moderation = new Moderation(() => this.signalling);
  private waiting: Waiter[] = [];
  private notice: Notice | undefined;
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
      waiting: [...this.waiting],
      ...(this.notice ? { notice: this.notice } : {}),
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

  /** Asks to enter; ends joined, in the lobby, or failed (e.g. `password-required`). */
  async join(options: JoinOptions): Promise<void> {
    const now = this.statusValue.status;
    if (now === "joining" || now === "joined" || now === "lobby") return;
    this.setStatus({ status: "joining" });
    try {
      const signalling = await Signalling.connect();
      this.signalling = signalling;
      signalling.events.on("event", (e) => this.handleEvent(e));
      signalling.events.on("closed", (reason) => this.connectionLost(reason));
      this.subscriber = new Subscriber(signalling, (streams) => this.attachStreams(streams));
      const result = await signalling.request("join", {
        roomId: options.roomId,
        name: options.name,
        ...(options.moderatorToken ? { moderatorToken: options.moderatorToken } : {}),
        ...(options.password ? { password: options.password } : {}),
      });
      if (result.status === "lobby") this.setStatus({ status: "lobby" });
      else await this.enter(result);
    } catch (error) {
      this.fail(error);
    }
  }

  /** In the meeting at last: learn who is there and start sending. */
  private async enter(joined: Joined): Promise<void> {
    const signalling = this.signalling;
    if (!signalling) return;
    this.participants.clear();
    for (const p of joined.participants) {
      this.participants.set(p.id, { ...p, stream: this.subscriber?.streamOf(p.id) });
    }
    this.setStatus({
      status: "joined",
      self: joined.self,
      locked: joined.locked,
      settings: joined.settings,
    });
    this.publisher = new Publisher();
    await this.publisher.send("audio", this.local.audio ?? null);
    await this.publisher.send("video", this.local.video ?? null);
    await this.publisher.start(signalling);
    await this.announceMedia();
  }

  private fail(error: unknown): void {
    const { code, message } =
      error instanceof RequestError
        ? error
        : { code: "internal", message: (error as Error).message };
    this.teardown();
    this.setStatus({ status: "failed", code, message });
  }

  /** Hides the current moderator notice. */
  dismissNotice(): void {
    this.notice = undefined;
    this.changed();
  }

  /** Leaves the meeting (or the lobby); devices are released. */
  async leave(): Promise<void> {
    if (this.statusValue.status !== "joined" && this.statusValue.status !== "lobby") return;
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
    const status = this.statusValue;
    switch (event.type) {
      case "participant-joined":
      case "participant-updated": {
        const { id } = event.participant;
        if (status.status === "joined" && id === status.self.id) {
          this.statusValue = { ...status, self: event.participant };
          break;
        }
        this.participants.set(id, { ...event.participant, stream: this.subscriber?.streamOf(id) });
        break;
      }
      case "lobby-updated":
        this.waiting = event.waiting;
        break;
      case "admitted": {
        const { type: _, ...joined } = event;
        this.enter(joined).catch((error) => this.fail(error));
        return;
      }
      case "denied":
      case "removed":
        this.teardown();
        this.releaseDevices();
        this.setStatus(
          event.type === "denied"
            ? { status: "denied" }
            : { status: "removed", reason: event.reason },
        );
        return;
      case "moderated":
        this.notice = { action: event.action, by: this.participants.get(event.by)?.name ?? "" };
        // A moderator's mute is applied here too, so the button shows the truth.
        if (event.action === "muted") void this.setDevice("audio", false);
        break;
      case "room-updated":
        if (status.status === "joined") {
          this.statusValue = { ...status, locked: event.locked, settings: event.settings };
        }
        break;
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
    const now = this.statusValue.status;
    if (now !== "joined" && now !== "joining" && now !== "lobby") return;
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
    this.waiting = [];
    this.notice = undefined;
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
