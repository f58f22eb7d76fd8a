import type { Kysely, Migration, MigrationProvider } from "kysely";

/**
 * Migrations live in code, in order, and are never edited once released: a
 * change is a new entry. The same list runs on SQLite and PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  "0001_rooms": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("rooms")
        .addColumn("seq", "integer", (c) => c.primaryKey().autoIncrement())
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
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
