import SQLite from "better-sqlite3";
import type { Finding } from "../criteria";
import { TABLE_RETENTION } from "../facts";

/** Values that look like key material: PEM blocks, JWKs, SDP fingerprints or crypto lines. */
const KEY_PATTERN = /-----BEGIN [A-Z ]*KEY-----|"kty"\s*:|a=crypto:|"k"\s*:\s*"[A-Za-z0-9_-]{16,}"/;

/**
 * Reads the database file directly (read-only, as the CLI on the server can):
 * every table must have a retention rule (T10), and no column may hold key
 * material (T2). Migration bookkeeping tables are Kysely's, not data.
 */
export function databaseFindings(file: string): Finding[] {
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    )
      .map((t) => t.name)
      .filter((n) => !n.startsWith("sqlite_") && !n.startsWith("kysely_"));
    const unruled = tables.filter((t) => !(t in TABLE_RETENTION));
    const keyed: string[] = [];
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).iterate() as Iterable<
        Record<string, unknown>
      >) {
        for (const [column, value] of Object.entries(row))
          if (typeof value === "string" && KEY_PATTERN.test(value))
            keyed.push(`${table}.${column}`);
      }
    }
    return [
      {
        id: "T10",
        status: unruled.length === 0 ? "green" : "red",
        reason:
          unruled.length === 0
            ? "every table in the database has a retention rule"
            : `tables without a retention rule: ${unruled.join(", ")}`,
        evidence: [`tables: ${tables.join(", ")}`],
      },
      {
        id: "T2",
        status: keyed.length === 0 ? "green" : "red",
        reason:
          keyed.length === 0
            ? "no key material in the database"
            : `key material in ${[...new Set(keyed)].join(", ")}`,
        evidence: [`scanned ${tables.length} tables of ${file}`],
      },
    ];
  } finally {
    db.close();
  }
}
