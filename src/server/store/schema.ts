import type { Generated } from "kysely";

/** The database as Kysely sees it. Every table has a retention rule (docs/SPEC.md, DATA-*). */
export interface Database {
  rooms: RoomTable;
  room_events: RoomEventTable;
  accounts: AccountTable;
  auth_sessions: AuthSessionTable;
  meetings: MeetingTable;
  meeting_members: MeetingMemberTable;
  kicks: KickTable;
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

/**
 * A meeting: one stretch of a room being in use. What a restart or a failover
 * must not forget lives here (SPEC RES-1). Deleted with its members once it
 * ended (or went quiet) longer ago than the audit retention.
 */
export interface MeetingTable {
  seq: Generated<number>;
  /** Random id. */
  id: string;
  room_id: string;
  started_at: number;
  /** Refreshed while a process holds the meeting open; a meeting quiet for longer cannot be resumed. */
  alive_at: number;
  /** Set when it ended (last person left, or a moderator ended it); null while it runs. */
  ended_at: number | null;
  /** 1 while a moderator keeps it locked. */
  locked: Generated<number>;
  /** The lobby as a moderator (or a kick) set it; null: the room's default. */
  lobby: number | null;
}

/** Who holds a place in a meeting, with the role they have now (SPEC RES-2). */
export interface MeetingMemberTable {
  seq: Generated<number>;
  meeting_id: string;
  /** The meeting's pseudonymous participant id. */
  participant_id: string;
  role: string;
  /** The display name they entered with; a resumed place keeps it. */
  name: string;
  /** "in", "left" or "kicked". */
  state: string;
  /** A digest of the room password's hash when they got in; a change sends them to the lobby. */
  password_mark: string;
}

/**
 * A kick (SPEC KICK-1, KICK-2): pseudonyms only — a hash of the browser session's id,
 * a keyed hash of the network address, the name's confusable skeleton.
 * Deleted when `until` passed, or (null) once the meeting ended.
 */
export interface KickTable {
  seq: Generated<number>;
  room_id: string;
  meeting_id: string;
  at: number;
  until: number | null;
  client_hash: string;
  address_hash: string;
  name_skeleton: string;
}
