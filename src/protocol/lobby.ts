import { z } from "zod";

/**
 * What crosses from a meeting into its lobby (SPEC LOBBY-4, LOBBY-5): a
 * moderator's short message to those waiting, and the reason given with a
 * deny. Nothing else of the meeting reaches the lobby (SPEC LOBBY-2).
 */

/** Longest lobby message or deny reason, in characters (code points) after trimming. */
export const MAX_LOBBY_TEXT = 200;
/** Longer texts still parse, so that the sender gets `lobby-text-too-long`, not `bad-message`. */
export const LobbyText = z.string().max(4 * MAX_LOBBY_TEXT);

/**
 * What the server noticed about a knock, for moderators to weigh (SPEC
 * KICK-2, NAME-3, RES-1): `removed-earlier`, it looks like someone kicked from
 * this meeting (same network address or same-looking name); `similar-name`,
 * the name looks like that of someone present or waiting; `returning`, they
 * held a place in this meeting before the server restarted.
 */
export type WaiterFlag = "removed-earlier" | "similar-name" | "returning";

export interface Waiter {
  id: string;
  name: string;
  flags?: WaiterFlag[];
}

/** Why a waiting person was turned away: a moderator's reason, or the meeting was full. */
export interface Denial {
  /** The moderator's words, as plain text; absent when they gave none. */
  reason?: string;
  /** Admitted while the meeting had no place left (SPEC LIMIT-1). */
  full?: true;
}
