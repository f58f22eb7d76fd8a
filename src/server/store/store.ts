import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { AccountStore } from "./accounts";
import { MeetingStore } from "./meetings";
import { migrationProvider } from "./migrations";
import { RoomStore } from "./rooms";
import type { Database } from "./schema";
import { guardedPool } from "./unavailable";

/**
 * The persistent store: one database, one repository per concept. Every
 * table has a retention rule and a deletion job (docs/SPEC.md, DATA-*).
 */
export class Store {
  readonly rooms: RoomStore;
  readonly accounts: AccountStore;
  readonly meetings: MeetingStore;
  private closed = false;

  private constructor(private readonly db: Kysely<Database>) {
    this.rooms = new RoomStore(db);
    this.accounts = new AccountStore(db);
    this.meetings = new MeetingStore(db);
  }

  /**
   * The store the configuration names: PostgreSQL when `databaseUrl` is set
   * (required for a cluster), otherwise the SQLite file in the data folder.
   */
  static open(config: { databaseUrl: string | undefined; dataDir: string }): Promise<Store> {
    return config.databaseUrl
      ? Store.openPostgres(config.databaseUrl)
      : Store.openSqlite(join(config.dataDir, "plenum.db"));
  }

  /**
   * Connects to PostgreSQL and brings its schema up to date. Kysely's migrator
   * takes an advisory lock there, so nodes starting together migrate once.
   */
  static async openPostgres(url: string): Promise<Store> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 10,
      // A database that went away must fail a request soon, not hang it.
      connectionTimeoutMillis: 5000,
    });
    // An idle client whose server went away emits an error; without a listener it would crash the process.
    pool.on("error", () => {});
    const store = new Store(
      new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool) }) }),
    );
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw new Error(`PostgreSQL (${redactUrl(url)}): ${(error as Error).message}`);
    }
    return store;
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

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "the configured URL";
  }
}
