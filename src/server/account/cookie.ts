import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "plenum_session";

/** A session token as `AuthSessions` mints it: 32 bytes, base64url. */
const TOKEN = /(?:^|;\s*)plenum_session=([A-Za-z0-9_-]{43})(?:;|$)/;

export function sessionTokenOf(request: IncomingMessage): string | undefined {
  return TOKEN.exec(request.headers.cookie ?? "")?.[1];
}

/**
 * Cookie flags: HttpOnly (no script reads it), SameSite=Lax (not sent on
 * cross-site subrequests or form posts), Path=/ (the page and the WebSocket
 * both need it), and Secure unless this is a plain-http loopback instance,
 * where browsers would otherwise drop it.
 */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}

/** Whether cookies must carry Secure: everywhere but http on a loopback address. */
export function needsSecureCookies(publicUrl: string): boolean {
  const url = new URL(publicUrl);
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  return !(url.protocol === "http:" && loopback);
}
