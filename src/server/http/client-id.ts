import { randomBytes } from "node:crypto";

/**
 * A random id per browser session (a cookie that ends with the browser
 * session), so that a person removed from a meeting is recognised when they
 * try again. It identifies a browser, not a person; only a kick stores it,
 * as a hash, for as long as the kick lasts (SPEC KICK-1).
 */
export function newClientId(): string {
  return randomBytes(16).toString("base64url");
}

export function clientIdOf(cookieHeader: string | undefined): string | undefined {
  const match = /(?:^|;\s*)plenum_client=([A-Za-z0-9_-]{22})(?:;|$)/.exec(cookieHeader ?? "");
  return match?.[1];
}
