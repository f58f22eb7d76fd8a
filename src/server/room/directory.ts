import type { MediaEngine } from "../media/types";
import type { Store } from "../store/store";
import { Room } from "./room";
import { hashSecret, newRoomId, newSecret, secretMatches } from "./secrets";

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

  async create(): Promise<CreatedRoom> {
    const id = newRoomId();
    const moderatorToken = newSecret();
    const t = this.now();
    await this.store.createRoom({
      id,
      moderatorTokenHash: hashSecret(moderatorToken),
      createdAt: t,
      lastUsedAt: t,
    });
    return { id, moderatorToken };
  }

  /** Whether a room may be joined. Unknown rooms and others that cannot be joined look alike. */
  async isAvailable(id: string): Promise<boolean> {
    if (this.closed) return false;
    return (await this.store.findRoom(id)) !== undefined;
  }

  /**
   * The open room for `id`, opening it if needed, and whether `moderatorToken`
   * is that room's. Undefined when the room is not available.
   */
  async enter(
    id: string,
    moderatorToken?: string,
  ): Promise<{ room: Room; isModerator: boolean } | undefined> {
    if (this.closed) return undefined;
    const stored = await this.store.findRoom(id);
    if (!stored) return undefined;
    await this.store.touchRoom(id, this.now());
    let room = this.open.get(id);
    if (!room?.isOpen) {
      room = new Room(id, this.media, (r) => {
        if (this.open.get(r.id) === r) this.open.delete(r.id);
      });
      this.open.set(id, room);
    }
    const isModerator =
      moderatorToken !== undefined && secretMatches(moderatorToken, stored.moderatorTokenHash);
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
