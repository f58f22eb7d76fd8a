import { createHmac, randomBytes } from "node:crypto";
import type { IceServer } from "../../protocol/messages";

export interface TurnConfig {
  urls: string[];
  /** coturn's `static-auth-secret`. */
  secret: string;
  ttlSeconds: number;
}

/**
 * Time-limited TURN credentials for coturn's `use-auth-secret` (the "TURN REST
 * API", draft-uberti-behave-turn-rest-00): username "<expiry>:<random id>",
 * password base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC,
 * so no account exists anywhere and a leaked credential dies at its expiry.
 * The id is random, not a person's: coturn's logs learn nothing about who.
 */
export function turnCredentials(
  config: TurnConfig,
  now: number = Date.now(),
): { username: string; credential: string } {
  const expiry = Math.floor(now / 1000) + config.ttlSeconds;
  const username = `${expiry}:${randomBytes(9).toString("base64url")}`;
  const credential = createHmac("sha1", config.secret).update(username).digest("base64");
  return { username, credential };
}

/** What a joined participant gets as `iceServers`: TURN only, never a STUN server of anyone else. */
export function iceServersFor(config: TurnConfig | undefined, now?: number): IceServer[] {
  if (!config) return [];
  return [{ urls: [...config.urls], ...turnCredentials(config, now) }];
}
