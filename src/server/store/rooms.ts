import type { Kysely, Selectable } from "kysely";
import type { Database, RoomTable } from "./schema";

/** What a room starts with; a moderator may change the live meeting's copy. */
export interface RoomDefaults {
  lobby: boolean;
  chat: boolean;
  e2ee: boolean;
  /** The X-Wing hybrid MLS suite instead of the default; absent means the default. */
  postQuantum?: boolean;
}

export const DEFAULTS: RoomDefaults = { lobby: true, chat: true, e2ee: true };

export interface StoredRoom {
  id: string;
  moderatorTokenHash: string;
  createdAt: number;
  lastUsedAt: number;
  name: string | null;
  ownerAccountId: string | null;
  defaults: RoomDefaults;
  passwordHash: string | null;
}

export type NewRoom = Pick<StoredRoom, "id" | "moderatorTokenHash" | "createdAt"> &
  Partial<Pick<StoredRoom, "name" | "ownerAccountId" | "defaults" | "passwordHash">>;

export interface RoomEvent {
  roomId: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
}

/** Rooms and their moderation audit events. */
export class RoomStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(room: NewRoom): Promise<void> {
    const d = room.defaults ?? DEFAULTS;
    await this.db
      .insertInto("rooms")
      .values({
        id: room.id,
        moderator_token_hash: room.moderatorTokenHash,
        created_at: room.createdAt,
        last_used_at: room.createdAt,
        name: room.name ?? null,
        owner_account_id: room.ownerAccountId ?? null,
        lobby: d.lobby ? 1 : 0,
        chat: d.chat ? 1 : 0,
        e2ee: d.e2ee ? 1 : 0,
        post_quantum: d.postQuantum ? 1 : 0,
        password_hash: room.passwordHash ?? null,
      })
      .execute();
  }

  async find(id: string): Promise<StoredRoom | undefined> {
    const row = await this.db
      .selectFrom("rooms")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toStoredRoom(row);
  }

  async listByOwner(accountId: string): Promise<StoredRoom[]> {
    const rows = await this.db
      .selectFrom("rooms")
      .selectAll()
      .where("owner_account_id", "=", accountId)
      .orderBy("created_at", "desc")
      .execute();
    return rows.map(toStoredRoom);
  }

  async update(
    id: string,
    change: Partial<Pick<StoredRoom, "name" | "defaults" | "passwordHash">>,
  ): Promise<void> {
    const d = change.defaults;
    await this.db
      .updateTable("rooms")
      .set({
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}),
        ...(d
          ? {
              lobby: d.lobby ? 1 : 0,
              chat: d.chat ? 1 : 0,
              e2ee: d.e2ee ? 1 : 0,
              post_quantum: d.postQuantum ? 1 : 0,
            }
          : {}),
      })
      .where("id", "=", id)
      .execute();
  }

  /** Replaces the moderator link's secret (its hash); the previous link stops working. */
  async setModeratorTokenHash(id: string, hash: string): Promise<void> {
    await this.db
      .updateTable("rooms")
      .set({ moderator_token_hash: hash })
      .where("id", "=", id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("room_events").where("room_id", "=", id).execute();
    await this.db.deleteFrom("rooms").where("id", "=", id).execute();
  }

  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable("rooms").set({ last_used_at: now }).where("id", "=", id).execute();
  }

  /**
   * Retention: deletes ad-hoc rooms unused since `before` (with their events);
   * returns how many went. An organiser's rooms stay until the organiser
   * deletes them or the account is removed.
   */
  async deleteUnused(before: number): Promise<number> {
    const stale = this.db
      .selectFrom("rooms")
      .select("id")
      .where("last_used_at", "<", before)
      .where("owner_account_id", "is", null);
    await this.db.deleteFrom("room_events").where("room_id", "in", stale).execute();
    const result = await this.db
      .deleteFrom("rooms")
      .where("last_used_at", "<", before)
      .where("owner_account_id", "is", null)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async addEvent(event: RoomEvent): Promise<void> {
    await this.db
      .insertInto("room_events")
      .values({
        room_id: event.roomId,
        at: event.at,
        actor: event.actor,
        action: event.action,
        target: event.target,
      })
      .execute();
  }

  async events(roomId: string): Promise<RoomEvent[]> {
    const rows = await this.db
      .selectFrom("room_events")
      .selectAll()
      .where("room_id", "=", roomId)
      .orderBy("seq")
      .execute();
    return rows.map((r) => ({
      roomId: r.room_id,
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      target: r.target,
    }));
  }

  /** Retention: audit events older than `before` go. */
  async deleteEventsBefore(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("room_events")
      .where("at", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toStoredRoom(row: Selectable<RoomTable>): StoredRoom {
  return {
    id: row.id,
    moderatorTokenHash: row.moderator_token_hash,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    name: row.name,
    ownerAccountId: row.owner_account_id,
    defaults: {
      lobby: row.lobby === 1,
      chat: row.chat === 1,
      e2ee: row.e2ee === 1,
      ...(row.post_quantum === 1 ? { postQuantum: true } : {}),
    },
    passwordHash: row.password_hash,
  };
}
