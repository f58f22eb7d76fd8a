import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { migrationProvider } from "./migrations";
import type { Database } from "./schema";

export interface StoredRoom {
  id: string;
  moderatorTokenHash: string;
  createdAt: number;
  lastUsedAt: number;
}

/** The persistent store. Rooms only; every row has a retention period (see `deleteUnusedRooms`). */
export class Store {
  private closed = false;

  private constructor(private readonly db: Kysely<Database>) {}

  /** Opens (creating if needed) the SQLite file and brings its schema up to date. */
  static async openSqlite(file: string): Promise<Store> {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    // WAL lets the retention job and requests overlap without blocking readers.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    const store = new Store(
      new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }),
    );
    await store.migrate();
    return store;
  }

  private async migrate(): Promise<void> {
    const { error, results } = await new Migrator({
      db: this.db,
      provider: migrationProvider,
    }).migrateToLatest();
    const failed = results?.find((r) => r.status === "Error");
    if (error || failed) {
      throw new Error(`Database migration ${failed?.migrationName ?? ""} failed: ${String(error)}`);
    }
  }

  async createRoom(room: StoredRoom): Promise<void> {
    await this.db
      .insertInto("rooms")
      .values({
        id: room.id,
        moderator_token_hash: room.moderatorTokenHash,
        created_at: room.createdAt,
        last_used_at: room.lastUsedAt,
      })
      .execute();
  }

  async findRoom(id: string): Promise<StoredRoom | undefined> {
    const row = await this.db
      .selectFrom("rooms")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        moderatorTokenHash: row.moderator_token_hash,
        createdAt: Number(row.created_at),
        lastUsedAt: Number(row.last_used_at),
      }
    );
  }

  async touchRoom(id: string, now: number): Promise<void> {
    await this.db.updateTable("rooms").set({ last_used_at: now }).where("id", "=", id).execute();
  }

  /** Retention: deletes rooms unused since `before`; returns how many went. */
  async deleteUnusedRooms(before: number): Promise<number> {
    const result = await this.db
      .deleteFrom("rooms")
      .where("last_used_at", "<", before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** A cheap query that proves the database answers (for /healthz). */
  async ping(): Promise<void> {
    await this.db.selectFrom("rooms").select("seq").limit(1).execute();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}
