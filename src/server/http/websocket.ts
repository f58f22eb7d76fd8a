import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyInstance } from "fastify";
import { WebSocketServer } from "ws";
import { CLOSE } from "../../protocol/errors";
import { MAX_MESSAGE_BYTES } from "../../protocol/messages";
import { Session, type SessionDeps } from "../signalling/session";

export const SIGNALLING_PATH = "/ws";

/**
 * Attaches signalling to the HTTP server. Frames over 64 KiB are refused by
 * `ws` itself (close 1009) before anything parses them.
 */
export function attachSignalling(app: FastifyInstance, deps: SessionDeps): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sessions = new Set<Session>();

  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = request.url?.split("?")[0];
    if (path !== SIGNALLING_PATH || !sameOrigin(request)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const session = new Session(
        {
          send: (text) => ws.readyState === ws.OPEN && ws.send(text),
          close: (code, reason) => ws.close(code, reason),
        },
        deps,
      );
      sessions.add(session);
      ws.on("message", (data, isBinary) => {
        if (isBinary)
          return session.close(CLOSE.protocolError, "binary frames are not part of the protocol");
        session.receive(data.toString());
      });
      ws.on("close", () => {
        sessions.delete(session);
        session.close(CLOSE.goingAway, "connection closed");
      });
      ws.on("error", () => ws.terminate());
    });
  });

  return {
    close() {
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
