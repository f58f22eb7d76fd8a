import type { Joined, MediaState, Results, ServerEvent } from "../../protocol/messages";
import { Actions } from "./actions";
import { ChatLog } from "./chat-log";
import { E2ee, type MembershipChange, type MlsEvent } from "./e2ee/controller";
import { groupView } from "./e2ee/group-view";
import { encodedTransformsSupported } from "./e2ee/transforms";
import { Emitter } from "./emitter";
import { LocalMedia } from "./local-media";
import { MediaConnections } from "./media-connections";
import type { JoinOptions, MeetingEvents, MeetingSnapshot, MeetingStatus } from "./meeting-types";
import { Moderation } from "./moderation";
import type { DeviceRole } from "./preferences";
import { RECONNECT_CODES, ReconnectLoop } from "./reconnect";
import { RoomState } from "./room-state";
import { Roster } from "./roster";
import { type Body, type Closed, RequestError, Signalling } from "./signalling";
import { StatsMonitor } from "./stats";
import type { RemoteStreams } from "./subscriber";
import { TileWatcher } from "./tile-watcher";

export type {
  ActionResult,
  ChatMessage,
  JoinOptions,
  MeetingEvents,
  MeetingSnapshot,
  MeetingStatus,
  ModerationNotice,
  Notice,
  RemoteParticipant,
} from "./meeting-types";

/**
 * One person's meeting: the signalling session, the two peer connections and
 * their own devices. UI code reads snapshots and calls methods; it never
 * touches WebRTC or the protocol itself.
 */
export class Meeting {
  readonly events = new Emitter<MeetingEvents>();
  /** Moderator commands; the server refuses them to anyone without the permission. */
  readonly moderation = new Moderation(() => this.signalling);
  private statusValue: MeetingStatus = { status: "idle" };
  private readonly roster = new Roster(
    (id) => ({
      stream: this.media.subscriber?.streamOf(id),
      screenStream: this.media.subscriber?.screenOf(id),
    }),
    (notice) => this.events.emit("notice", notice),
  );
  private readonly localMedia = new LocalMedia(() => this.changed());
  private signalling: Signalling | undefined;
  private readonly media = new MediaConnections({
    streams: (streams) => this.attachStreams(streams),
    restart: (reason) => void this.restartMedia(reason),
    escalate: (reason) => {
      console.warn(`media: ${reason}; reconnecting`);
      // The server keeps the place (4000 is no goodbye); the resume renegotiates media.
      this.signalling?.abandon();
    },
  });
  private e2ee: E2ee | undefined;
  private readonly chat = new ChatLog();
  private readonly room = new RoomState();
  private activity: Pick<MeetingSnapshot, "activeSpeaker" | "quality"> = { quality: {} };
  /** What the person asked to join, for reconnecting. */
  private options: JoinOptions | undefined;
  /** The server's resume ticket for this person's place (never stored beyond this page). */
  private ticket: string | undefined;
  /** Set while the connection is being re-established: why it was lost. */
  private reconnecting: "network" | "server" | undefined;
  /** The server said it is shutting down; the next close is a restart, not a failure. */
  private serverGoing = false;
  /** Cancelled by leave and close; a new reconnect replaces a running one. */
  private readonly reconnectLoop = new ReconnectLoop();
  /** Set while the media connections are being replaced (see `restartMedia`). */
  private restartingMedia = false;
  private audioOnly = false;
  /** Chat, hand, reactions, screen share: what the person does that the others see. */
  readonly actions = new Actions({
    signalling: () => this.signalling,
    localMedia: this.localMedia,
    media: this.media,
    // Fixed at join, never a server setting: chat never goes out in clear once encrypted.
    encrypted: () => this.room.encrypted,
    e2ee: () => this.e2ee,
  });
  private readonly tiles = new TileWatcher(async (tiles) => {
    if (!this.signalling || this.statusValue.status !== "joined") return false;
    await this.signalling.request("video-preferences", { tiles }).catch(() => undefined);
    return true;
  });
  private readonly stats = new StatsMonitor(
    {
      publisher: () => this.media.publisher?.connection,
      subscriber: () => this.media.subscriber?.connection,
      ownerOf: (mid) => this.media.subscriber?.ownerOf(mid),
      localLevel: () => this.localMedia.level(),
      selfId: () => (this.statusValue.status === "joined" ? this.statusValue.self.id : undefined),
    },
    (result) => {
      this.activity = result;
      this.changed();
    },
  );

  /** A participant's grace period for joining the encryption group ends: look again. */
  private recheck: ReturnType<typeof setTimeout> | undefined;

  snapshot(): MeetingSnapshot {
    const failing = this.failingParticipants();
    const encryptionGroup = this.encryptionGroup();
    return {
      status: this.statusValue,
      participants: this.roster.participants.map((p) => ({
        ...p,
        ...(failing.has(p.id) ? { e2eeWarning: true } : {}),
      })),
      local: { ...this.localMedia.tracks },
      deviceError: this.localMedia.error,
      devices: this.localMedia.devices,
      choices: this.localMedia.choices,
      chat: this.chat.messages,
      hands: this.roster.hands,
      settings: this.room.settings,
      ...this.activity,
      waiting: this.room.waiting,
      lobbyMessages: this.room.lobbyMessages,
      ...(this.room.notice ? { moderation: this.room.notice } : {}),
      e2ee: this.e2ee?.status ?? { state: "off" },
      ...(encryptionGroup ? { encryptionGroup } : {}),
      ...(this.reconnecting ? { reconnecting: this.reconnecting } : {}),
      audioOnly: this.audioOnly,
      suggestAudioOnly: this.room.suggestAudioOnly(this.audioOnly),
    };
  }

  /**
   * Watches the element that shows `participantId`'s camera or screen, so
   * the server sends the video layer its size needs, and none while it is
   * out of view. Returns a disposer.
   */
  watchTile(participantId: string, source: "camera" | "screen", element: Element): () => void {
    return this.tiles.watch(participantId, source, element);
  }

  /** Audio-only: nobody's video is received; for a weak connection. */
  setAudioOnly(on: boolean): void {
    this.audioOnly = on;
    this.tiles.setAudioOnly(on);
    this.changed();
  }

  /** The person does not want audio-only suggested again in this meeting. */
  dismissAudioOnlySuggestion(): void {
    this.room.dismissAudioOnly();
    this.changed();
  }

  /** The person compared the current safety number aloud with the others. */
  markSafetyNumberCompared(): void {
    this.e2ee?.markCompared();
  }

  private encryptionGroup() {
    const self = this.selfId();
    if (!this.e2ee || !self) return undefined;
    const view = groupView(
      this.e2ee.status,
      this.e2ee.alerts,
      self,
      {
        ids: this.roster.participants.map((p) => p.id),
        nameOf: (id) => this.nameOf(id),
        seenSince: (id) => this.roster.seenSince(id),
      },
      Date.now(),
    );
    if (view.recheckAt && !this.recheck)
      this.recheck = setTimeout(
        () => {
          this.recheck = undefined;
          this.changed();
        },
        view.recheckAt - Date.now() + 100,
      );
    return view;
  }

  /** Transform counters (frames encrypted, decrypted, dropped by reason); no key material. */
  e2eeCounters() {
    return this.e2ee?.counters;
  }

  private failingParticipants(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.e2ee?.failingTransforms ?? []) {
      const owner = this.media.subscriber?.ownerOfTransform(t);
      if (owner) ids.add(owner);
    }
    return ids;
  }

  /** Switches the microphone or camera on (opening the device) or off (releasing it). */
  async setDevice(kind: "audio" | "video", on: boolean): Promise<void> {
    if (!(await this.localMedia.set(kind, on))) return;
    await this.sendLocal(kind);
    await this.announceMedia();
  }

  /** Chooses a microphone, camera or speaker; an open device switches without rejoining. */
  async chooseDevice(role: DeviceRole, deviceId: string): Promise<void> {
    if (!(await this.localMedia.choose(role, deviceId))) return;
    await this.sendLocal(role === "microphone" ? "audio" : "video");
  }

  /** The own microphone's level (0..1) or a participant's, for level meters. */
  levelOf(participantId?: string): number {
    if (participantId === undefined) return this.localMedia.level() ?? 0;
    return this.stats.levelOf(participantId);
  }

  /** Asks to enter; ends joined, in the lobby, or failed (e.g. `password-required`). */
  async join(options: JoinOptions): Promise<void> {
    const now = this.statusValue.status;
    if (now === "joining" || now === "joined" || now === "lobby") return;
    this.options = options;
    this.ticket = undefined;
    this.setStatus({ status: "joining" });
    try {
      const signalling = await this.connect();
      await this.entered(await signalling.request("join", this.joinBody()), true);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Opens a signalling connection and wires its events and the receiving side to it. */
  private async connect(): Promise<Signalling> {
    const signalling = await Signalling.connect();
    this.signalling = signalling;
    signalling.events.on("event", (e) => this.handleEvent(e));
    signalling.events.on("closed", (closed) => this.connectionLost(signalling, closed));
    signalling.events.on("ticket", (ticket) => {
      this.ticket = ticket;
    });
    // Its offers wait until the join result says whether (and with what) to decrypt.
    this.media.receive(signalling);
    return signalling;
  }

  /** The sending side, on a new peer connection, with the devices that are on. */
  private startPublishing(signalling: Signalling): Promise<void> {
    const { audio, video } = this.localMedia.tracks;
    return this.media.publish(signalling, this.e2ee, { audio, video });
  }

  /**
   * The media path was lost while signalling stayed up: both peer connections
   * are replaced (the server gives this participant a new media peer). If even
   * that fails, the signalling reconnects and the place is resumed.
   */
  private async restartMedia(reason: string): Promise<void> {
    const signalling = this.signalling;
    if (!signalling || this.restartingMedia || this.statusValue.status !== "joined") return;
    console.info(`media: ${reason}; restarting media`);
    this.restartingMedia = true;
    try {
      this.stopMedia();
      this.media.receive(signalling, { e2ee: this.e2ee });
      await signalling.request("media-restart", {}, 5_000);
      await this.startPublishing(signalling);
      this.stats.start();
      // The new server-side peer starts from default layer choices.
      this.tiles.resend();
    } catch {
      signalling.abandon();
    } finally {
      this.restartingMedia = false;
    }
  }

  private joinBody(): Body<"join"> {
    const options = this.options;
    if (!options) throw new RequestError("disconnected", "not joining");
    return {
      roomId: options.roomId,
      name: options.name,
      ...(options.moderatorToken ? { moderatorToken: options.moderatorToken } : {}),
      ...(options.password ? { password: options.password } : {}),
      ...(this.ticket ? { resume: this.ticket } : {}),
    };
  }

  /**
   * Whether the meeting is encrypted is fixed for its lifetime: by the link
   * (its fragment says so), else by the first join reply. A reply saying
   * otherwise is a downgrade by the server, refused.
   */
  private checkEncryption(joined: Joined): void {
    const expected = this.room.fixedE2ee ?? (this.options?.e2ee ? true : undefined);
    if (expected === undefined || joined.settings.e2ee === expected) return;
    throw new RequestError("e2ee-downgrade", "The server changed the meeting's encryption.");
  }

  /** The join's outcome: the lobby, or the meeting (new, or a place taken back). */
  private async entered(result: Results["join"], fresh: boolean): Promise<void> {
    if (result.status === "lobby") {
      // A restored place may have to wait again (SPEC RES-1): that is not reconnecting any more.
      this.reconnecting = undefined;
      this.dropE2ee();
      this.setStatus({ status: "lobby" });
      return;
    }
    await this.enter(result, fresh);
  }

  /** In the meeting at last (at once, or when admitted): learn who is there and start sending. */
  private async enter(joined: Joined, fresh = true): Promise<void> {
    const signalling = this.signalling;
    if (!signalling) return;
    if (joined.resume) this.ticket = joined.resume;
    try {
      this.checkEncryption(joined);
      if (joined.settings.e2ee && !encodedTransformsSupported())
        // Fail closed: without encoded transforms this browser would send and show media in clear.
        throw new RequestError("e2ee-unsupported", "This browser cannot encrypt media end to end.");
    } catch (error) {
      await signalling.request("leave", {}).catch(() => undefined);
      throw error;
    }
    // A place the server kept goes on in the same encryption group; anything else starts anew.
    if (joined.resumed !== "kept") this.dropE2ee();
    this.roster.reset(joined.participants, joined.hands);
    if (fresh) this.chat.clear();
    this.room.settings = joined.settings;
    const selfId = joined.self.id;
    // The encryption exists before anything is received or sent (docs/E2EE.md, "No plaintext path").
    if (this.room.encrypted && !this.e2ee) {
      this.e2ee = new E2ee(
        () => this.connected(),
        selfId,
        this.room.settings.postQuantum,
        (id) => id === selfId || this.roster.has(id),
        {
          changed: () => this.changed(),
          chat: (message) => this.receiveChat({ ...message, name: this.nameOf(message.from) }),
          membership: (change) => this.membershipChanged(change),
        },
      );
      this.e2ee.start().catch(() => undefined);
    }
    this.media.subscriber?.decryptWith(this.e2ee);
    this.reconnecting = undefined;
    this.serverGoing = false;
    this.setStatus({ status: "joined", self: joined.self, locked: joined.locked });
    this.media.useIceServers(joined.iceServers);
    await this.startPublishing(signalling);
    await this.announceMedia();
    this.stats.start();
    this.tiles.resend();
  }

  /** The signalling connection, or a `disconnected` error while there is none. */
  private connected(): Signalling {
    if (!this.signalling) throw new RequestError("disconnected", "reconnecting");
    return this.signalling;
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
  dismissModeration(): void {
    this.room.notice = undefined;
    this.changed();
  }

  /** Leaves the meeting (or the lobby); devices are released. */
  async leave(): Promise<void> {
    if (this.statusValue.status !== "joined" && this.statusValue.status !== "lobby") return;
    this.reconnectLoop.cancel();
    this.reconnecting = undefined;
    await this.signalling?.request("leave", {}, 2_000).catch(() => undefined);
    this.teardown();
    this.localMedia.release();
    this.setStatus({ status: "left" });
  }

  /** Releases everything; idempotent. */
  close(): void {
    this.reconnectLoop.cancel();
    this.teardown();
    this.localMedia.release();
    this.tiles.close();
    this.events.clear();
  }

  private handleEvent(event: ServerEvent): void {
    // This person's own entry is their status; everyone else's is the roster's.
    if (
      event.type === "participant-updated" &&
      this.statusValue.status === "joined" &&
      event.participant.id === this.statusValue.self.id
    ) {
      this.statusValue = { ...this.statusValue, self: event.participant };
      this.changed();
      return;
    }
    if (this.roster.apply(event)) {
      this.changed();
      return;
    }
    // Whether the meeting is encrypted was fixed at join: a change is refused and shown.
    if (event.type === "room-updated" && this.room.changesEncryption(event.settings))
      this.e2ee?.warn({ what: "downgrade" });
    if (this.room.apply(event, (id) => this.nameOf(id))) {
      // A moderator's mute is applied here too, so the button shows the truth.
      if (event.type === "moderated" && event.action === "muted")
        void this.setDevice("audio", false);
      if (event.type === "room-updated" && this.statusValue.status === "joined")
        this.statusValue = { ...this.statusValue, locked: event.locked };
      this.changed();
      return;
    }
    switch (event.type) {
      case "server-shutdown":
        this.serverGoing = true;
        this.events.emit("notice", { kind: "server-restarting", name: "" });
        break;
      case "subscriber-offer":
        this.media.subscriber?.handleOffer(event.sdp, event.tracks);
        return;
      case "chat":
        // Plain chat in an encrypted meeting can only come from the server itself.
        if (this.room.encrypted) this.e2ee?.warn({ what: "plain-chat" });
        else this.receiveChat(event);
        return;
      case "reaction": {
        const name = this.nameOf(event.from);
        this.events.emit("reaction", { from: event.from, name, emoji: event.emoji });
        return;
      }
      case "mls-pending":
      case "mls-commit":
      case "mls-welcome":
      case "mls-create":
      case "mls-chat":
        this.e2ee?.handle(event as MlsEvent);
        return;
      case "admitted": {
        const { type: _, ...joined } = event;
        this.enter(joined, true).catch((error) => this.fail(error));
        return;
      }
      case "denied":
      case "removed":
        this.teardown();
        this.localMedia.release();
        if (event.type === "denied") {
          const { type: _, ...denial } = event;
          this.setStatus({ status: "denied", ...denial });
        } else this.setStatus({ status: "removed", reason: event.reason });
        return;
    }
    this.changed();
  }

  private receiveChat(message: { from: string; name: string; text: string; at: number }): void {
    this.chat.add(message, message.from === this.selfId());
    this.changed();
  }

  private nameOf(id: string): string {
    if (this.statusValue.status === "joined" && this.statusValue.self.id === id)
      return this.statusValue.self.name;
    return this.roster.nameOf(id) ?? this.roster.formerName(id) ?? "";
  }

  /** "NAME was added to (removed from) the encrypted group", for everyone to notice. */
  private membershipChanged(change: MembershipChange): void {
    if (change.participantId === this.selfId()) return;
    const kind = change.kind === "added" ? "e2ee-added" : "e2ee-removed";
    this.events.emit("notice", { kind, name: this.nameOf(change.participantId) || "?" });
  }

  private selfId(): string | undefined {
    return this.statusValue.status === "joined" ? this.statusValue.self.id : undefined;
  }

  private attachStreams(streams: RemoteStreams): void {
    this.roster.attach(streams);
    this.changed();
  }

  private async sendLocal(kind: "audio" | "video"): Promise<void> {
    const track = this.localMedia.tracks[kind] ?? null;
    await this.media.send(kind === "audio" ? "microphone" : "camera", track);
  }

  private async announceMedia(): Promise<void> {
    if (this.statusValue.status !== "joined" || !this.signalling) return;
    const media: MediaState = {
      audio: this.localMedia.tracks.audio !== undefined,
      video: this.localMedia.tracks.video !== undefined,
    };
    await this.signalling.request("media-state", { media }).catch(() => undefined);
  }

  /**
   * The connection ended. A goodbye, a refusal or a replaced connection ends
   * the meeting here; anything abnormal (network gone, 1001, 1006, 1012
   * restart, no reply) reconnects and takes the place back.
   */
  private connectionLost(from: Signalling, closed: Closed): void {
    if (from !== this.signalling) return;
    const now = this.statusValue.status;
    if (now !== "joined" && now !== "lobby") return;
    if (!RECONNECT_CODES.has(closed.code)) {
      this.teardown();
      this.localMedia.setScreen(undefined);
      this.setStatus({ status: "failed", code: "disconnected", message: closed.reason });
      return;
    }
    const cause = this.serverGoing || closed.code === 1012 ? "server" : "network";
    void this.reconnect(cause);
  }

  /** Reconnects with backoff and the resume ticket until back in, refused, or given up. */
  private async reconnect(cause: "network" | "server"): Promise<void> {
    this.dropConnection();
    this.reconnecting = cause;
    this.changed();
    // A server that announced its restart is retried quickly for longer: it will be back.
    await this.reconnectLoop.run(
      cause === "server",
      async (stale) => {
        const signalling = await this.connect();
        if (stale()) return signalling.close();
        const result = await signalling.request("join", this.joinBody());
        if (stale()) return;
        await this.entered(result, false);
      },
      () => this.dropConnection(),
      (error) => this.fail(error),
    );
  }

  /** Closes both peer connections (and their watchdogs). */
  private stopMedia(): void {
    this.stats.stop();
    this.media.close();
  }

  /** Lets go of the connection and media, keeping who is here, the chat and the encryption group. */
  private dropConnection(): void {
    this.stopMedia();
    // Never `close()`: a goodbye would give the place up. A dead socket is abandoned.
    this.signalling?.abandon();
    this.signalling = undefined;
    // The share ends with the connection; the person starts it again if they want.
    if (this.localMedia.tracks.screen) this.localMedia.setScreen(undefined);
  }

  private dropE2ee(): void {
    this.e2ee?.close();
    this.e2ee = undefined;
  }

  private teardown(): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
    this.reconnecting = undefined;
    this.ticket = undefined;
    this.stopMedia();
    this.dropE2ee();
    this.signalling?.close();
    this.signalling = undefined;
    this.roster.clear();
    this.activity = { quality: {} };
    this.room.reset();
  }

  private setStatus(status: MeetingStatus): void {
    this.statusValue = status;
    this.changed();
  }

  private changed(): void {
    this.events.emit("change", this.snapshot());
  }
}
