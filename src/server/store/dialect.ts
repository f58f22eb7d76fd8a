import { type Kysely, PostgresAdapter } from "kysely";

/** Which SQL engine a Kysely instance talks to, for the few places where they differ. */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
