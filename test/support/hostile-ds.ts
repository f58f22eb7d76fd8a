import type { Page, WebSocketRoute } from "playwright-core";
import type { ServerEvent } from "../../src/protocol/messages";

/** A message on the signalling socket, parsed (events, replies and requests alike). */
export type Frame = { type: string; [field: string]: unknown };

/**
 * A compromised server, as one browser sees it: every signalling frame
 * between the page and the real server passes through this test, which can
 * drop, rewrite, delay or inject server-to-client messages (Playwright's
 * WebSocket routing, a proxy inside the test's browser). Nothing of it exists
 * in the server; it stands for an operator who changed the server's code.
 */
export class HostileServer {
  /** Everything the page sent, in order. */
  readonly fromClient: Frame[] = [];
  /** Everything the server sent, in order (before any rewriting). */
  readonly fromServer: Frame[] = [];
  private route: WebSocketRoute | undefined;
  private rewrite: (frame: Frame) => Frame[] = (frame) => [frame];

  private constructor() {}

  /** Routes `page`'s signalling socket through the rig; call before the page opens the room. */
  static async on(page: Page): Promise<HostileServer> {
    const rig = new HostileServer();
    await page.routeWebSocket(/\/ws$/, (ws) => {
      rig.route = ws;
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        rig.fromClient.push(parse(message));
        server.send(message);
      });
      server.onMessage((message) => {
        const frame = parse(message);
        rig.fromServer.push(frame);
        for (const out of rig.rewrite(frame)) ws.send(JSON.stringify(out));
      });
    });
    return rig;
  }

  /** Sends `event` to the page as if the server had. */
  inject(event: ServerEvent | Frame): void {
    if (!this.route) throw new Error("the page has no signalling socket yet");
    this.route.send(JSON.stringify(event));
  }

  /**
   * From now on, each server frame becomes what `rewrite` returns (none to
   * drop it, several to add some); `honest()` ends it.
   */
  rewriting(rewrite: (frame: Frame) => Frame[]): void {
    this.rewrite = rewrite;
  }

  honest(): void {
    this.rewrite = (frame) => [frame];
  }

  /** The page's participant id, from the server's join reply. */
  selfId(): string | undefined {
    for (const frame of this.fromServer) {
      const result = frame.result as { status?: string; self?: { id: string } } | undefined;
      if (frame.type === "ok" && result?.status === "joined" && result.self) return result.self.id;
      if (frame.type === "admitted") return (frame.self as { id: string }).id;
    }
    return undefined;
  }
}

function parse(message: string | Buffer): Frame {
  return JSON.parse(String(message)) as Frame;
}
