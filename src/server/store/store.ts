import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { AccountStore } from "./accounts";
import { migrationProvider } from "./migrations";
import { RoomStore } from "./rooms";
import type { Database } from "./schema";

/**
 * The persistent store: one database, one repository per concept. Every
 * table has a retention rule and a deletion job (docs/SPEC.md, DATA-*).
 */
export class Store {
  readonly rooms: RoomStore;
  readonly accounts: AccountStore;
  private closed = false;

  private constructor(private readonly db: Kysely<Database>) {
    this.rooms = new RoomStore(db);
    this.accounts = new AccountStore(db);
  }

  /** Opens (creating if needed) the SQLite file and brings its schema up to date. */
  static async openSqlite(file: string): Promise<Store> {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    // WAL lets the retention job and requests overlap without blocking readers,
    // and a killed process loses no committed row.
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
