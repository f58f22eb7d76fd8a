import type { Authenticate } from "../auth/account";
import { sessionTokenOf } from "./cookie";
import type { AuthSessions } from "./sessions";

/**
 * The one resolver from a request to its organiser: the session cookie, looked
 * up in the store. HTTP routes and the WebSocket upgrade both use it.
 */
export function cookieAuthenticator(sessions: AuthSessions): Authenticate {
  return async (request) => {
    const token = sessionTokenOf(request);
    return token ? sessions.resolve(token) : undefined;
  };
}
