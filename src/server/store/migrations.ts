import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from "kysely";
import { isPostgres } from "./dialect";

/**
 * Migrations live in code, in order, and are never edited once released: a
 * change is a new entry. The same list runs on SQLite and PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  "0001_rooms": {
    async up(db: Kysely<unknown>) {
      await withSeq(db, db.schema.createTable("rooms"))
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("moderator_token_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("rooms_last_used_at")
        .on("rooms")
        .column("last_used_at")
        .execute();
    },
  },
  "0002_room_settings_and_events": {
    async up(db: Kysely<unknown>) {
      for (const [column, type] of [
        ["name", "text"],
        ["owner_account_id", "text"],
        ["password_hash", "text"],
      ] as const) {
        await db.schema.alterTable("rooms").addColumn(column, type).execute();
      }
      for (const column of ["lobby", "chat", "e2ee"]) {
        await db.schema
          .alterTable("rooms")
          .addColumn(column, "integer", (c) => c.notNull().defaultTo(1))
          .execute();
      }
      await db.schema.createIndex("rooms_owner").on("rooms").column("owner_account_id").execute();
      await withSeq(db, db.schema.createTable("room_events"))
        .addColumn("room_id", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target", "text")
        .execute();
      await db.schema
        .createIndex("room_events_room")
        .on("room_events")
        .columns(["room_id", "at"])
        .execute();
      await db.schema.createIndex("room_events_at").on("room_events").column("at").execute();
    },
  },
  "0003_accounts_and_sessions": {
    async up(db: Kysely<unknown>) {
      await withSeq(db, db.schema.createTable("accounts"))
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("username", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text")
        .addColumn("oidc_issuer", "text")
        .addColumn("oidc_subject", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("accounts_oidc", ["oidc_issuer", "oidc_subject"])
        .execute();
      await db.schema
        .createTable("auth_sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("expires_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("auth_sessions_expires_at")
        .on("auth_sessions")
        .column("expires_at")
        .execute();
      await db.schema
        .createIndex("auth_sessions_account")
        .on("auth_sessions")
        .column("account_id")
        .execute();
    },
  },
  "0004_room_post_quantum": {
    async up(db: Kysely<unknown>) {
      // 1: the meeting's MLS group uses the X-Wing hybrid suite (docs/E2EE.md).
      await db.schema
        .alterTable("rooms")
        .addColumn("post_quantum", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  "0005_meetings_and_kicks": {
    async up(db: Kysely<unknown>) {
      // One row per meeting: what must outlive the process (lock, lobby, its end) (SPEC RES-1).
      await withSeq(db, db.schema.createTable("meetings"))
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("room_id", "text", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("alive_at", "bigint", (c) => c.notNull())
        .addColumn("ended_at", "bigint")
        .addColumn("locked", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("lobby", "integer")
        .execute();
      await db.schema.createIndex("meetings_room").on("meetings").column("room_id").execute();
      await db.schema.createIndex("meetings_alive_at").on("meetings").column("alive_at").execute();
      await withSeq(db, db.schema.createTable("meeting_members"))
        .addColumn("meeting_id", "text", (c) => c.notNull())
        .addColumn("participant_id", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("password_mark", "text", (c) => c.notNull())
        .addUniqueConstraint("meeting_members_place", ["meeting_id", "participant_id"])
        .execute();
      await withSeq(db, db.schema.createTable("kicks"))
        .addColumn("room_id", "text", (c) => c.notNull())
        .addColumn("meeting_id", "text", (c) => c.notNull())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("until", "bigint")
        .addColumn("client_hash", "text", (c) => c.notNull())
        .addColumn("address_hash", "text", (c) => c.notNull())
        .addColumn("name_skeleton", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("kicks_room").on("kicks").column("room_id").execute();
    },
  },
};

/**
 * An internal row counter as primary key. SQLite's AUTOINCREMENT does not exist
 * in PostgreSQL, whose equivalent is `serial`; both give a 32-bit integer.
 */
function withSeq<T extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<T, never>,
): CreateTableBuilder<T, "seq"> {
  return isPostgres(db)
    ? table.addColumn("seq", "serial", (c) => c.primaryKey())
    : table.addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement());
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
