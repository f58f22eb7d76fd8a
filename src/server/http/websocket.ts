import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { WebSocketServer } from "ws";
import { CLOSE } from "../../protocol/errors";
import { MAX_MESSAGE_BYTES } from "../../protocol/messages";
import type { Authenticate } from "../auth/account";
import { EdgeConnection } from "../cluster/edge";
import type { ClusterNode } from "../cluster/node";
import { truncateIp } from "../observability/log";
import { limitRefusals } from "../observability/metrics";
import { type Identity, Session, type SessionDeps, type Socket } from "../signalling/session";
import { clientIdOf, newClientId } from "./client-id";
import { ConnectionCap } from "./connection-cap";
import { clientAddress, clientProtocol, type TrustProxy } from "./proxy";

export const SIGNALLING_PATH = "/ws";
/**
 * A connection whose peer vanished without closing (laptop lid, dead Wi-Fi)
 * answers no ping; after one silent interval (5–10 s) it is ended, the
 * person's place is kept for the resume window and the others see them
 * reconnecting instead of a frozen tile.
 */
const HEARTBEAT_MS = 5_000;

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
  /** In a cluster, a join may be relayed to the node its room lives on. */
  cluster?: ClusterNode,
  /** Open connections per source address (SPEC LIMIT-3). */
  connections = new ConnectionCap(Number.POSITIVE_INFINITY),
): { announceShutdown(): void; close(): void; readonly sessionCount: number } {
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
  const sessions = new Set<Session | EdgeConnection>();
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
    const release = connections.take(clientAddress(request, trustProxy));
    if (!release) {
      refuse(request, socket, head);
      return;
    }
    // However the socket ends (closed, refused, never upgraded), its place is given back.
    socket.once("close", release);
    void identify(request).then(
      (identity) =>
        wss.handleUpgrade(request, socket, head, (ws) => {
          const wire: Socket = {
            send: (text) => ws.readyState === ws.OPEN && ws.send(text),
            close: (code, reason) => ws.close(code, reason),
          };
          const session = new Session(wire, deps, identity);
          const connection = cluster
            ? new EdgeConnection(session, cluster, identity, wire)
            : session;
          sessions.add(connection);
          // The network, never the address (COMPLIANCE T7): enough to spot abuse from one place.
          deps.log.debug({ net: truncateIp(identity.address) }, "signalling: connected");
          alive.set(ws, true);
          ws.on("pong", () => alive.set(ws, true));
          ws.on("message", (data, isBinary) => {
            if (isBinary)
              return connection.close(
                CLOSE.protocolError,
                "binary frames are not part of the protocol",
              );
            connection.receive(data.toString());
          });
          ws.on("close", (code) => {
            sessions.delete(connection);
            connection.connectionLost(code);
          });
          ws.on("error", () => ws.terminate());
        }),
      () => socket.destroy(),
    );
  });

  /**
   * Over the cap: the socket is opened only to be closed with a code and a
   * reason the page can read (a refused upgrade shows a browser just 1006).
   */
  function refuse(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    limitRefusals.inc({ limit: "connections-per-address" });
    wss.handleUpgrade(request, socket, head, (ws) =>
      ws.close(CLOSE.tooManyConnections, "too-many-connections"),
    );
  }

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
    /** Tells every connection the server is going; joins are refused from now on. */
    announceShutdown() {
      deps.lifecycle.draining = true;
      for (const session of sessions) session.send({ type: "server-shutdown" });
    },
    close() {
      clearInterval(heartbeat);
      deps.lifecycle.draining = true;
      // 1012 without leaving: the others see no one go, and everyone comes back with a ticket.
      for (const session of sessions) session.shutdown();
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
