import type { Generated } from "kysely";

/** The database as Kysely sees it. Nothing personal is stored: rooms only. */
export interface Database {
  rooms: RoomTable;
}

export interface RoomTable {
  /** Public room id: >= 128 random bits, base64url. */
  id: string;
  /** SHA-256 of the moderator link's secret; the secret itself is never stored. */
  moderator_token_hash: string;
  /** Milliseconds since the epoch. */
  created_at: number;
  /** Last join; drives the retention job. */
  last_used_at: number;
  /** Internal row counter, never exposed. */
  seq: Generated<number>;
}
