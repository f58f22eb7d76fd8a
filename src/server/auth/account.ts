import type { IncomingMessage } from "node:http";

/** A signed-in organiser as the rest of the server sees them. */
export interface AccountRef {
  id: string;
  username: string;
}

/**
 * Resolves the organiser behind an HTTP request (its session cookie), or
 * undefined for a guest. The WebSocket upgrade calls it once per connection,
 * so a session's identity never comes from a message.
 */
export type Authenticate = (request: IncomingMessage) => Promise<AccountRef | undefined>;
