import type { Generated } from "kysely";

/** The database as Kysely sees it. Every table has a retention rule (docs/SPEC.md, DATA-*). */
export interface Database {
  rooms: RoomTable;
  room_events: RoomEventTable;
  accounts: AccountTable;
  auth_sessions: AuthSessionTable;
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
  /** A persistent room's name, chosen by its organiser; null for ad-hoc rooms. */
  name: string | null;
  /** The organiser account that owns the room; its holder is a moderator. */
  owner_account_id: string | null;
  /** Default settings (1/0): people wait in a lobby; chat; end-to-end encryption. */
  lobby: Generated<number>;
  chat: Generated<number>;
  e2ee: Generated<number>;
  /** 1: end-to-end encryption uses the post-quantum hybrid MLS suite. */
  post_quantum: Generated<number>;
  /** argon2id hash of the room password; null when the room has none. */
  password_hash: string | null;
}

/**
 * Moderation audit: who did what to whom, when — never content. Actor and
 * target are the meeting's pseudonymous participant ids, not names.
 */
export interface RoomEventTable {
  seq: Generated<number>;
  room_id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
}

/**
 * An organiser. Local accounts have a password hash; OIDC accounts have the
 * issuer and subject their identity provider vouches for (and no password).
 * Kept until removed (`plenum user remove`).
 */
export interface AccountTable {
  seq: Generated<number>;
  /** Random id that rooms refer to; never shown. */
  id: string;
  /** Login name; unique. */
  username: string;
  /** argon2id hash; null for OIDC accounts. */
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: number;
}

/** A signed-in browser. Deleted at logout or by the retention job once expired. */
export interface AuthSessionTable {
  /** SHA-256 of the cookie's token; the token itself is never stored. */
  token_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
}
