import type { Logger } from "pino";
import type { Role } from "../../protocol/messages";
import { hashPassword } from "../auth/passwords";
import type { MediaEngine } from "../media/types";
import type { RoomDefaults, StoredRoom } from "../store/rooms";
import type { Store } from "../store/store";
import { Room } from "./room";
import { hashSecret, newRoomId, newSecret, secretMatches } from "./secrets";

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
}

export interface Entry {
  role: Role;
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

/** Rooms: the stored ones (that may be joined) and the open ones (with people in them). */
export class RoomDirectory {
  private readonly open = new Map<string, Room>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly media: MediaEngine,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

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
    const live = this.open.get(id);
    if (!isModerator && live && (live.locked || live.isBanned(who.clientId))) return undefined;
    return {
      role,
      passwordHash: isModerator ? null : stored.passwordHash,
      open: () => this.openRoom(stored),
    };
  }

  /**
   * The live room for a place restored from a resume ticket after a restart:
   * opened if need be; undefined if the room no longer exists. No lock, ban or
   * password applies: the person was in the meeting.
   */
  async restore(id: string): Promise<Room | undefined> {
    if (this.closed) return undefined;
    const stored = await this.store.rooms.find(id);
    if (!stored || this.closed) return undefined;
    return this.openRoom(stored);
  }

  private openRoom(stored: StoredRoom): Room {
    const existing = this.open.get(stored.id);
    if (existing?.isOpen) return existing;
    void this.store.rooms
      .touch(stored.id, this.now())
      .catch((err) => this.log.error({ err }, "touch failed"));
    const room = new Room(
      stored.id,
      this.media,
      {
        settings: {
          ...stored.defaults,
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
      },
    );
    this.open.set(stored.id, room);
    return room;
  }

  /** Sets or clears the room's password, for the live meeting and the stored room alike. */
  async setPassword(room: Room, password: string | null): Promise<void> {
    const passwordHash = password ? await hashPassword(password) : null;
    await this.store.rooms.update(room.id, { passwordHash });
    room.settings = { ...room.settings, password: passwordHash !== null };
    room.settingsChanged();
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
    for (const room of [...this.open.values()]) room.close();
    this.open.clear();
  }
}
