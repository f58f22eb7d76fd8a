import { randomUUID } from "node:crypto";
import { DEFAULT_SUITE, POST_QUANTUM_SUITE } from "../../client/sdk/e2ee/suite";
import type {
  Joined,
  MediaState,
  Reaction,
  Role,
  RoomSettings,
  ServerEvent,
  WaiterFlag,
} from "../../protocol/messages";
import { DeliveryService } from "../e2ee/delivery";
import type { MediaEngine, MediaPeer } from "../media/types";
import { HandQueue } from "./hands";
import { HeldEvents } from "./held-events";
import { type Knock, type KnockCallbacks, Lobby } from "./lobby";
import { type EventSink, Participant } from "./participant";
import { can } from "./permissions";
import { skeleton } from "./skeleton";

type RoomState = { state: "open" } | { state: "closed" };

/** Records a moderation action (who did what to whom); never content. */
export type Audit = (actor: string, action: string, target: string | null) => void;

/**
 * Writes what must outlive this process (SPEC RES-1): who holds a place and
 * with what role, who was kicked, the lock and the lobby. The directory
 * stores it; a room in a unit test may drop it.
 */
export interface MeetingRecord {
  joined(p: Participant, passwordMark: string): void;
  role(p: Participant): void;
  left(participantId: string, state: "left" | "kicked"): void;
  /** A kick, in force until `until` (ms since 1970) or, when null, the meeting's end (SPEC KICK-1). */
  kicked(p: Participant, until: number | null): Promise<unknown>;
  changed(change: { locked?: boolean; lobby?: boolean }): void;
  /** The meeting is over: no ticket brings anyone back into it. Resolves once stored. */
  ended(): Promise<unknown>;
}

const NO_RECORD: MeetingRecord = {
  joined: () => undefined,
  role: () => undefined,
  left: () => undefined,
  kicked: () => Promise.resolve(),
  changed: () => undefined,
  ended: () => Promise.resolve(),
};

export interface RoomInit {
  settings: RoomSettings;
  audit: Audit;
  /** The meeting this room continues (after a restart) or starts; random if not given. */
  meeting?: { id: string; locked: boolean };
  record?: MeetingRecord;
  /** How long a place is kept when its media is lost (the resume window); default 30 s. */
  keepPlaceMs?: number;
}

/**
 * A meeting in progress: who is in it, who waits in its lobby, and who
 * receives whose media. Every change happens here and is announced from here,
 * so participants never see a half-applied change.
 */
export class Room {
  readonly lobby = new Lobby();
  settings: RoomSettings;
  locked = false;
  readonly audit: Audit;
  /** The meeting held in this room now; a restart continues it (SPEC RES-1). */
  readonly meetingId: string;
  readonly record: MeetingRecord;
  /** A digest of the room password's hash, set by the directory: a change since someone got in shows. */
  passwordMark = "";
  private readonly participants = new Map<string, Participant>();
  private readonly keepPlaceMs: number;
  /** Browser sessions removed from this meeting; they cannot come back (SPEC MOD-1). */
  private readonly banned = new Set<string>();
  private status: RoomState = { state: "open" };
  private readonly hands = new HandQueue();
  /** MLS's delivery service, in an end-to-end encrypted meeting (docs/E2EE.md). */
  readonly mls: DeliveryService | undefined;

  constructor(
    readonly id: string,
    private readonly media: MediaEngine,
    init: RoomInit,
    /** Called once the room closes (the last participant left, or it ended). */
    private readonly onClose: (room: Room) => void,
  ) {
    this.settings = { ...init.settings };
    this.audit = init.audit;
    this.meetingId = init.meeting?.id ?? randomUUID();
    this.locked = init.meeting?.locked ?? false;
    this.record = init.record ?? NO_RECORD;
    this.keepPlaceMs = init.keepPlaceMs ?? 30_000;
    // Fixed for the meeting's lifetime: switching encryption mid-meeting would need everyone to rejoin.
    this.mls = this.settings.e2ee
      ? new DeliveryService((id, event) => this.participants.get(id)?.sink.send(event), {
          suite: this.settings.postQuantum ? POST_QUANTUM_SUITE : DEFAULT_SUITE,
          inMeeting: (id) => this.participants.has(id),
        })
      : undefined;
  }

  get size(): number {
    return this.participants.size;
  }

  get isOpen(): boolean {
    return this.status.state === "open";
  }

  /**
   * Adds a participant, connects media both ways with everyone present and
   * tells the others. `id` is given only when a resume ticket restores a place
   * after a server restart.
   */
  join(
    name: string,
    role: Role,
    clientId: string,
    sink: EventSink,
    id: string = randomUUID(),
    /** Their network address, kept in memory only: a kick records a keyed hash of it. */
    address = "",
  ): Participant {
    if (this.status.state !== "open") throw new Error("room is closed");
    if (this.participants.has(id)) throw new Error("participant id in use");
    const self: Participant = new Participant(
      id,
      name,
      role,
      clientId,
      sink,
      this.createPeer(id, () => self),
      address,
    );
    for (const other of this.participants.values()) {
      self.peer.subscribe(other.peer);
      other.peer.subscribe(self.peer);
    }
    this.participants.set(id, self);
    this.record.joined(self, this.passwordMark);
    this.broadcast({ type: "participant-joined", participant: self.view() }, id);
    if (can(role, "admit") && this.lobby.size > 0)
      sink.send({ type: "lobby-updated", waiting: this.lobby.list() });
    return self;
  }

  /** A media peer whose offers reach the participant's current connection. */
  private createPeer(id: string, self: () => Participant | undefined): MediaPeer {
    return this.media.createPeer(
      id,
      {
        offer: (sdp, tracks) =>
          self()?.sink.send({
            type: "subscriber-offer",
            sdp,
            tracks: tracks.map((t) => ({
              mid: t.mid,
              participantId: t.sourceLabel,
              kind: t.kind,
              source: t.source,
            })),
          }),
        // The client notices too: it restarts ICE, or reconnects and resumes.
        failed: () => undefined,
        downlink: (bitrate) => self()?.sink.send({ type: "downlink", bitrate }),
        // The server lost this person's media (a media worker crashed): they reconnect and resume.
        lost: () => this.mediaLost(id),
      },
      this.id,
    );
  }

  /**
   * The room keeps the place itself, then tells the connection, one way, to
   * end (1012) so the client resumes with new media: the sink never calls back.
   */
  private mediaLost(participantId: string): void {
    const p = this.participants.get(participantId);
    // Parked, or between a resume and its reply (held events): no connection to end.
    if (!p || p.parked || !p.sink.mediaLost) return;
    const sink = p.sink;
    this.park(participantId, this.keepPlaceMs);
    sink.mediaLost?.();
  }

  /**
   * The participant's connection is gone: their place is kept for `windowMs`
   * (the others see them reconnecting), then they leave. Idempotent.
   */
  park(participantId: string, windowMs: number): void {
    const p = this.participants.get(participantId);
    if (!p || p.parked) return;
    const held = new HeldEvents(() => this.leave(participantId));
    p.sink = held;
    const timer = setTimeout(() => this.leave(participantId), windowMs);
    timer.unref?.();
    p.parked = { timer };
    this.broadcast({ type: "participant-reconnecting", participantId }, participantId);
  }

  /**
   * Gives a kept place to a new connection, if `tokenHash` is one of its
   * tokens: the same participant, role and admission. Media starts afresh on
   * the new connection. Returns the participant and `release`, which delivers
   * the events held for them and attaches `sink` (call it after the join
   * reply went out), or undefined.
   */
  resume(
    participantId: string,
    tokenHash: string,
    sink: EventSink,
  ): { self: Participant; release(): void } | undefined {
    const p = this.participants.get(participantId);
    if (!p?.tokenHashes.includes(tokenHash)) return undefined;
    const before = p.sink;
    const held = before instanceof HeldEvents ? before.take() : [];
    if (!(before instanceof HeldEvents)) before.replaced?.();
    // Everything is held until the caller delivers it after its reply.
    const holding = new HeldEvents(() => this.leave(participantId), true);
    p.sink = holding;
    const wasParked = p.parked !== undefined;
    if (p.parked) clearTimeout(p.parked.timer);
    p.parked = undefined;
    this.replacePeer(p);
    if (wasParked)
      this.broadcast({ type: "participant-reconnected", participantId }, participantId);
    return {
      self: p,
      release: () => {
        if (p.sink !== holding) return;
        for (const event of [...held, ...holding.take()]) sink.send(event);
        p.sink = sink;
      },
    };
  }

  /** Gives a participant new media connections (their path was lost); see media-restart. */
  renewMedia(participantId: string): void {
    const p = this.participants.get(participantId);
    if (p) this.replacePeer(p);
  }

  /** A new media peer for `p`, subscribed both ways; a share in progress ends. */
  private replacePeer(p: Participant): void {
    for (const other of this.participants.values()) if (other !== p) other.peer.unsubscribe(p.peer);
    p.peer.close();
    p.peer = this.createPeer(p.id, () => p);
    for (const other of this.participants.values()) {
      if (other === p) continue;
      p.peer.subscribe(other.peer);
      other.peer.subscribe(p.peer);
    }
    if (p.mutedByModerator) p.peer.pause("microphone", true);
    if (p.screen) {
      p.screen = false;
      this.broadcast({ type: "participant-updated", participant: p.view() });
    }
  }

  /**
   * What a person learns on entering; nothing of this reaches the lobby (SPEC
   * LOBBY-2). Their ICE servers are added by the join handler: they belong to
   * the connection, not to the room.
   */
  joinedView(self: Participant): Omit<Joined, "iceServers"> {
    return {
      self: self.view(),
      participants: this.others(self.id).map((p) => p.view()),
      hands: this.hands.queue,
      locked: this.locked,
      settings: { ...this.settings },
    };
  }

  /**
   * Puts a person in the lobby and tells the moderators, flagging a name that
   * looks like one present or waiting (SPEC NAME-3).
   */
  knock(name: string, callbacks: KnockCallbacks, flags: WaiterFlag[] = []): Knock {
    const mark = skeleton(name);
    const names = [...this.participants.values()].map((p) => p.name).concat(this.lobby.names());
    const all = names.some((n) => skeleton(n) === mark)
      ? [...flags, "similar-name" as const]
      : flags;
    const knock = this.lobby.add(name, callbacks, all);
    this.lobbyChanged();
    return knock;
  }

  /** A waiting person gave up (closed the page); idempotent. */
  withdraw(knockId: string): void {
    if (!this.lobby.take(knockId)) return;
    this.lobbyChanged();
    if (this.participants.size === 0 && this.lobby.size === 0) this.close();
  }

  lobbyChanged(): void {
    this.toModerators({ type: "lobby-updated", waiting: this.lobby.list() });
  }

  setMedia(participantId: string, media: MediaState): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    // Switching the microphone on is the person's own decision, which ends a moderator's mute.
    if (media.audio && p.mutedByModerator) {
      p.mutedByModerator = false;
      p.peer.pause("microphone", false);
    }
    p.media = { ...media };
    this.broadcast({ type: "participant-updated", participant: p.view() }, participantId);
  }

  /** Removes a participant; idempotent. The room closes itself when the last one leaves. */
  leave(participantId: string, as: "left" | "kicked" = "left"): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.record.left(participantId, as);
    if (p.parked) clearTimeout(p.parked.timer);
    p.parked = undefined;
    this.participants.delete(participantId);
    if (this.hands.set(participantId, false)) this.broadcastHands();
    for (const other of this.participants.values()) other.peer.unsubscribe(p.peer);
    p.peer.close();
    // Everyone learns of the departure before any commit that removes the person: clients
    // refuse a Remove of someone they still see (docs/E2EE.md, E2EE-MEMBERS-6).
    this.broadcast({ type: "participant-left", participantId });
    this.mls?.left(participantId);
    if (this.participants.size === 0) this.close();
  }

  /** Takes a participant out for `reason`; a kicked browser session cannot come back. */
  remove(participantId: string, reason: "kicked" | "ended"): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    if (reason === "kicked") this.banned.add(p.clientId);
    p.sink.send({ type: "removed", reason });
    p.sink.detached();
    this.leave(participantId, reason === "kicked" ? "kicked" : "left");
  }

  isBanned(clientId: string): boolean {
    return this.banned.has(clientId);
  }

  /** Raised hands in order, as participant ids. */
  get handQueue(): string[] {
    return this.hands.queue;
  }

  setHand(participantId: string, raised: boolean): void {
    if (!this.participants.has(participantId)) return;
    if (this.hands.set(participantId, raised)) this.broadcastHands();
  }

  /**
   * Relays a chat message to everyone, the sender included (their copy confirms
   * delivery and carries the server's time). Nothing is kept: the text exists
   * only in this call.
   */
  chat(participantId: string, text: string): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.broadcast({ type: "chat", from: p.id, name: p.name, text, at: Date.now() });
  }

  /** Relays an MLS-encrypted chat message to the group's members; the server cannot read it. */
  encryptedChat(participantId: string, message: string): void {
    if (!this.participants.has(participantId)) return;
    const event: ServerEvent = { type: "mls-chat", from: participantId, message, at: Date.now() };
    for (const id of this.mls?.present ?? []) this.participants.get(id)?.sink.send(event);
  }

  react(participantId: string, emoji: Reaction): void {
    if (!this.participants.has(participantId)) return;
    this.broadcast({ type: "reaction", from: participantId, emoji });
  }

  /**
   * Starts or stops forwarding a participant's screen. Returns false when the
   * share is refused: someone else shares and the room allows one at a time.
   */
  setScreenShare(participantId: string, on: boolean): boolean {
    const p = this.participants.get(participantId);
    if (!p) return false;
    if (p.screen === on) return true;
    if (on && !this.settings.multipleScreenShares) {
      for (const other of this.participants.values()) if (other.screen) return false;
    }
    p.screen = on;
    p.peer.setForwarding("screen", on);
    this.broadcast({ type: "participant-updated", participant: p.view() });
    return true;
  }

  private broadcastHands(): void {
    this.broadcast({ type: "hands", queue: this.hands.queue });
  }

  get(participantId: string): Participant | undefined {
    return this.participants.get(participantId);
  }

  others(exceptId?: string): Participant[] {
    return [...this.participants.values()].filter((p) => p.id !== exceptId);
  }

  broadcast(event: ServerEvent, exceptId?: string): void {
    for (const p of this.participants.values()) if (p.id !== exceptId) p.sink.send(event);
  }

  toModerators(event: ServerEvent): void {
    for (const p of this.participants.values()) if (can(p.role, "admit")) p.sink.send(event);
  }

  /** Tells everyone the room's lock and settings. */
  settingsChanged(): void {
    this.broadcast({ type: "room-updated", locked: this.locked, settings: { ...this.settings } });
  }

  /** Closes every participant's media and turns away the lobby; idempotent. */
  close(): void {
    if (this.status.state === "closed") return;
    this.status = { state: "closed" };
    this.mls?.close();
    for (const knock of this.lobby.takeAll()) knock.deny();
    for (const p of this.participants.values()) {
      if (p.parked) clearTimeout(p.parked.timer);
      p.peer.close();
    }
    this.participants.clear();
    this.onClose(this);
  }
}

export type { EventSink };
