import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Role, type WaiterFlag } from "../../protocol/messages";
import { hashPassword } from "../auth/passwords";
import type { MediaEngine } from "../media/types";
import type { StoredMeeting } from "../store/meetings";
import type { RoomDefaults, StoredRoom } from "../store/rooms";
import type { Store } from "../store/store";
import { Room } from "./room";
import { clientHash, type Pseudonyms, passwordMark, recordFor } from "./room-record";
import { hashSecret, newRoomId, newSecret, secretMatches } from "./secrets";
import { skeleton } from "./skeleton";

/** What an organiser may choose for a persistent room; ad-hoc rooms take the defaults. */
export interface RoomOptions {
  name?: string;
  ownerAccountId?: string;
  defaults?: RoomDefaults;
  /** Plain text; only its argon2id hash is stored. */
  password?: string;
}

/** Who knocks: what they hold, and who they are according to their connection. */
export interface Visitor {
  moderatorToken?: string;
  accountId?: string;
  clientId: string;
  /** Their network address: compared (as a keyed hash) with those of people kicked. */
  address?: string;
  name?: string;
}

export interface Entry {
  role: Role;
  /** What moderators should know about this knock; a flagged person always waits in the lobby. */
  flags: WaiterFlag[];
  /** The hash to check a password against; null when none is needed. */
  passwordHash: string | null;
  /** The live room, opened if nobody is in it yet. */
  open(): Room;
}

export interface CreatedRoom {
  id: string;
  /** Returned once, to the creator; only its hash is stored. */
  moderatorToken: string;
}

/** A place taken back from the store after a restart or failover (SPEC RES-1, RES-2). */
export interface Restored {
  room: Room;
  /** As the meeting knows it now, not as the ticket said. */
  role: Role;
  /** The name they held the place under; a resume cannot change it. */
  name: string;
  /** The room password changed since they got in. */
  passwordChanged: boolean;
}

/** How often open meetings tell the store they are alive. */
const HEARTBEAT_MS = 30_000;

/** Rooms: the stored ones (that may be joined) and the open ones (with people in them). */
export class RoomDirectory {
  private readonly open = new Map<string, Room>();
  private closed = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  /** Meeting writes not yet done; a shutdown waits for them (`flush`). */
  private readonly writes = new Set<Promise<unknown>>();
  /** Meetings that ended here and whose end is being stored. */
  private readonly ending = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly media: MediaEngine,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** Keyed hashes for kick records; the key lives in the data folder. */
    private readonly pseudonyms: Pseudonyms = { address: (room, a) => `${room}:${a}` },
    /** How long a meeting may go quiet and still be resumed: the resume tickets' lifetime. */
    private readonly resumableMs = 5 * 60_000,
    /** How long a place is kept after its connection or media was lost (PLENUM_RESUME_SECONDS). */
    private readonly keepPlaceMs = 30_000,
  ) {
    this.heartbeat = setInterval(
      () => {
        const ids = [...this.open.values()].map((r) => r.meetingId);
        void this.store.meetings
          .alive(ids, this.now())
          .catch((err) => this.log.error({ err }, "meeting heartbeat failed"));
      },
      Math.min(HEARTBEAT_MS, resumableMs / 4),
    );
    this.heartbeat.unref();
  }

  async create(options: RoomOptions = {}): Promise<CreatedRoom> {
    const id = newRoomId();
    const moderatorToken = newSecret();
    await this.store.rooms.create({
      id,
      moderatorTokenHash: hashSecret(moderatorToken),
      createdAt: this.now(),
      name: options.name ?? null,
      ownerAccountId: options.ownerAccountId ?? null,
      ...(options.defaults ? { defaults: options.defaults } : {}),
      passwordHash: options.password ? await hashPassword(options.password) : null,
    });
    return { id, moderatorToken };
  }

  /** Whether a room may be joined. Unknown rooms and others that cannot be joined look alike. */
  async isAvailable(id: string): Promise<boolean> {
    if (this.closed) return false;
    const stored = await this.store.rooms.find(id);
    return stored !== undefined && !this.open.get(id)?.locked;
  }

  /**
   * Who may enter `id`, and as what. Undefined when the room is unavailable to
   * them: unknown, deleted, locked or they were removed from it — all alike
   * (SPEC ACC-2). Moderators enter locked rooms. The room is opened only by
   * `open()`, after the caller has checked the password.
   */
  async enter(id: string, who: Visitor): Promise<Entry | undefined> {
    if (this.closed) return undefined;
    const stored = await this.store.rooms.find(id);
    if (!stored) return undefined;
    const isModerator =
      (who.moderatorToken !== undefined &&
        secretMatches(who.moderatorToken, stored.moderatorTokenHash)) ||
      (who.accountId !== undefined && who.accountId === stored.ownerAccountId);
    const role: Role = isModerator ? "moderator" : who.accountId ? "participant" : "guest";
    const live = this.liveRoom(id);
    const meeting = live ? undefined : await this.resumable(id);
    if (!isModerator) {
      if (live ? live.locked : meeting?.locked) return undefined;
      if (live?.isBanned(who.clientId)) return undefined;
    }
    const flags: WaiterFlag[] = [];
    if (!isModerator) {
      const meetingId = live?.meetingId ?? meeting?.id ?? "-";
      const kicks = await this.store.meetings.kicks(id, meetingId, this.now());
      const client = clientHash(who.clientId);
      if (kicks.some((k) => k.clientHash === client)) return undefined;
      const address = who.address ? this.pseudonyms.address(id, who.address) : undefined;
      const name = who.name ? skeleton(who.name) : undefined;
      if (kicks.some((k) => k.addressHash === address || k.nameSkeleton === name))
        flags.push("removed-earlier");
    }
    return {
      role,
      flags,
      passwordHash: isModerator ? null : stored.passwordHash,
      open: () => this.openRoom(stored, meeting),
    };
  }

  /** The open room, if it is open. */
  private liveRoom(id: string): Room | undefined {
    const room = this.open.get(id);
    return room?.isOpen ? room : undefined;
  }

  /**
   * The room's meeting that a restart interrupted and that may still be
   * resumed; one quiet for longer than a ticket lives is ended instead.
   */
  private async resumable(roomId: string): Promise<StoredMeeting | undefined> {
    const meeting = await this.store.meetings.current(roomId);
    if (!meeting || this.ending.has(meeting.id)) return undefined;
    if (this.now() - meeting.aliveAt <= this.resumableMs) return meeting;
    await this.store.meetings.end(meeting.id, this.now());
    return undefined;
  }

  /**
   * A place held before a restart or failover, as the store knows it now
   * (SPEC RES-1, RES-2): its current role and name, in the room opened if
   * need be. Undefined when there is no such place any more (the meeting
   * ended or went quiet, they left, the room is gone); "removed" when they
   * were kicked. The caller applies the room's rules (lobby, lock, password).
   */
  async restore(id: string, participantId: string): Promise<Restored | "removed" | undefined> {
    if (this.closed) return undefined;
    const stored = await this.store.rooms.find(id);
    if (!stored) return undefined;
    const live = this.liveRoom(id);
    const meeting = live ? undefined : await this.resumable(id);
    const meetingId = live?.meetingId ?? meeting?.id;
    if (!meetingId || this.closed) return undefined;
    const member = await this.store.meetings.member(meetingId, participantId);
    if (member?.state === "kicked") return "removed";
    const role = Role.safeParse(member?.role);
    if (member?.state !== "in" || !role.success) return undefined;
    const room = this.openRoom(stored, meeting);
    // Someone else opened a new meeting meanwhile: the old place is gone.
    if (room.meetingId !== meetingId) return undefined;
    return {
      room,
      role: role.data,
      name: member.name,
      passwordChanged: member.passwordMark !== room.passwordMark,
    };
  }

  private openRoom(stored: StoredRoom, meeting: StoredMeeting | undefined): Room {
    const existing = this.open.get(stored.id);
    if (existing?.isOpen) return existing;
    const meetingId = meeting?.id ?? randomUUID();
    if (!meeting) {
      void this.store.meetings
        .start({ id: meetingId, roomId: stored.id, at: this.now() })
        .catch((err) => this.log.error({ err }, "meeting not stored"));
    }
    void this.store.rooms
      .touch(stored.id, this.now())
      .catch((err) => this.log.error({ err }, "touch failed"));
    const room = new Room(
      stored.id,
      this.media,
      {
        meeting: { id: meetingId, locked: meeting?.locked ?? false },
        keepPlaceMs: this.keepPlaceMs,
        record: recordFor(
          this.store,
          stored.id,
          meetingId,
          this.pseudonyms,
          this.log,
          this.now,
          (write) => this.track(write),
        ),
        settings: {
          ...stored.defaults,
          ...(meeting?.lobby !== undefined ? { lobby: meeting.lobby } : {}),
          postQuantum: stored.defaults.postQuantum ?? false,
          password: stored.passwordHash !== null,
          // Two shares at once split attention and bandwidth: a moderator has to allow it.
          multipleScreenShares: false,
        },
        audit: (actor, action, target) =>
          void this.store.rooms
            .addEvent({ roomId: stored.id, at: this.now(), actor, action, target })
            .catch((err) => this.log.error({ err }, "audit event not stored")),
      },
      (r) => {
        if (this.open.get(r.id) === r) this.open.delete(r.id);
        // A shutdown interrupts the meeting (people resume after the restart); anything else ends it.
        if (this.closed) return;
        // Until the end is stored, this process must not take the meeting for an interrupted one.
        this.ending.add(r.meetingId);
        void r.record.ended().finally(() => this.ending.delete(r.meetingId));
      },
    );
    room.passwordMark = passwordMark(stored.passwordHash);
    this.open.set(stored.id, room);
    return room;
  }

  /** Sets or clears the room's password, for the live meeting and the stored room alike. */
  async setPassword(room: Room, password: string | null): Promise<void> {
    const passwordHash = password ? await hashPassword(password) : null;
    await this.store.rooms.update(room.id, { passwordHash });
    room.passwordMark = passwordMark(passwordHash);
    room.settings = { ...room.settings, password: passwordHash !== null };
    room.settingsChanged();
  }

  private track(write: Promise<unknown>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Waits for the meeting writes under way (before the store closes). */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  /** The open room, if anyone is in it. */
  find(id: string): Room | undefined {
    return this.open.get(id);
  }

  get openRooms(): number {
    return this.open.size;
  }

  /** Ids of the rooms open here; a cluster node keeps them placed on itself. */
  get openRoomIds(): string[] {
    return [...this.open.keys()];
  }

  /** People in meetings across all open rooms (for /metrics). */
  get participantCount(): number {
    let n = 0;
    for (const room of this.open.values()) n += room.size;
    return n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const room of [...this.open.values()]) room.close();
    this.open.clear();
  }
}
