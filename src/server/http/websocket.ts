import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { WebSocketServer } from "ws";
import { CLOSE } from "../../protocol/errors";
import { MAX_MESSAGE_BYTES } from "../../protocol/messages";
import type { Authenticate } from "../auth/account";
import { truncateIp } from "../observability/log";
import { type Identity, Session, type SessionDeps } from "../signalling/session";
import { clientIdOf, newClientId } from "./client-id";
import { clientAddress, clientProtocol, type TrustProxy } from "./proxy";

export const SIGNALLING_PATH = "/ws";
/**
 * A connection whose peer vanished without closing (laptop lid, dead Wi-Fi)
 * answers no ping; after one silent interval it is ended and the person
 * leaves the room instead of lingering as a frozen tile.
 */
const HEARTBEAT_MS = 20_000;

/**
 * Attaches signalling to the HTTP server. Frames over 64 KiB are refused by
 * `ws` itself (close 1009) before anything parses them.
 */
export function attachSignalling(
  app: FastifyInstance,
  deps: SessionDeps,
  authenticate: Authenticate,
  secureCookies: boolean,
  /** Behind a trusted reverse proxy, the client's address comes from X-Forwarded-For. */
  trustProxy: TrustProxy = () => false,
): { close(): void; readonly sessionCount: number } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Client ids minted for this upgrade, to be set as a cookie on the 101 response. */
  const minted = new WeakMap<IncomingMessage, string>();
  wss.on("headers", (headers, request) => {
    const id = minted.get(request);
    if (id)
      headers.push(
        `Set-Cookie: plenum_client=${id}; Path=${SIGNALLING_PATH}; HttpOnly; SameSite=Strict${secureCookies || clientProtocol(request, trustProxy) === "https" ? "; Secure" : ""}`,
      );
  });
  const sessions = new Set<Session>();
  const alive = new WeakMap<object, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = request.url?.split("?")[0];
    if (path !== SIGNALLING_PATH || !sameOrigin(request)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    void identify(request).then(
      (identity) =>
        wss.handleUpgrade(request, socket, head, (ws) => {
          const session = new Session(
            {
              send: (text) => ws.readyState === ws.OPEN && ws.send(text),
              close: (code, reason) => ws.close(code, reason),
            },
            deps,
            identity,
          );
          sessions.add(session);
          // The network, never the address (COMPLIANCE T7): enough to spot abuse from one place.
          deps.log.debug({ net: truncateIp(identity.address) }, "signalling: connected");
          alive.set(ws, true);
          ws.on("pong", () => alive.set(ws, true));
          ws.on("message", (data, isBinary) => {
            if (isBinary)
              return session.close(
                CLOSE.protocolError,
                "binary frames are not part of the protocol",
              );
            session.receive(data.toString());
          });
          ws.on("close", () => {
            sessions.delete(session);
            session.close(CLOSE.goingAway, "connection closed");
          });
          ws.on("error", () => ws.terminate());
        }),
      () => socket.destroy(),
    );
  });

  /** Who is connecting, from the request alone: account cookie, client cookie, address. */
  async function identify(request: IncomingMessage): Promise<Identity> {
    let clientId = clientIdOf(request.headers.cookie);
    if (!clientId) {
      clientId = newClientId();
      minted.set(request, clientId);
    }
    return {
      account: await authenticate(request),
      clientId,
      address: clientAddress(request, trustProxy),
    };
  }

  return {
    get sessionCount() {
      return sessions.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const session of sessions) session.close(CLOSE.goingAway, "server shutting down");
      sessions.clear();
      wss.close();
    },
  };
}

/**
 * A browser always sends Origin; a page from another site must not open a
 * socket with the visitor's cookies (cross-site WebSocket hijacking).
 * Non-browser clients send none and prove nothing either way.
 */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
