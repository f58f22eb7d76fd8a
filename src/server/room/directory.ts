import { hashPassword } from "../auth/passwords";
import type { MediaEngine } from "../media/types";
import type { RoomDefaults } from "../store/rooms";
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
    return (await this.store.rooms.find(id)) !== undefined;
  }

  /**
   * The open room for `id`, opening it if needed, and whether the person
   * moderates it: by holding the room's moderator secret, or by being the
   * signed-in organiser who owns it (`accountId` from the connection's
   * session). Undefined when the room is not available.
   */
  async enter(
    id: string,
    moderatorToken?: string,
    accountId?: string,
  ): Promise<{ room: Room; isModerator: boolean } | undefined> {
    if (this.closed) return undefined;
    const stored = await this.store.rooms.find(id);
    if (!stored) return undefined;
    await this.store.rooms.touch(id, this.now());
    let room = this.open.get(id);
    if (!room?.isOpen) {
      room = new Room(id, this.media, (r) => {
        if (this.open.get(r.id) === r) this.open.delete(r.id);
      });
      this.open.set(id, room);
    }
    const isOwner = accountId !== undefined && stored.ownerAccountId === accountId;
    const isModerator =
      isOwner ||
      (moderatorToken !== undefined && secretMatches(moderatorToken, stored.moderatorTokenHash));
    return { room, isModerator };
  }

  /** The open room, if anyone is in it. */
  find(id: string): Room | undefined {
    return this.open.get(id);
  }

  get openRooms(): number {
    return this.open.size;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const room of [...this.open.values()]) room.close();
    this.open.clear();
  }
}
