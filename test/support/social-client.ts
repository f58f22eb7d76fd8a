import WebSocket from "ws";
import type { ServerMessage } from "../../src/protocol/messages";
import { waitFor } from "./wait";

/** A bare signalling client: enough to exercise chat, hands and screen-share rules without media. */
export class SignallingClient {
  readonly received: ServerMessage[] = [];
  private nextId = 1;
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => this.received.push(JSON.parse(String(data)) as ServerMessage));
  }

  static async connect(url: string): Promise<SignallingClient> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { origin: url });
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const client = new SignallingClient(ws);
    await client.request({ type: "hello", protocolVersion: 1 });
    return client;
  }

  async request(body: Record<string, unknown>): Promise<ServerMessage> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ ...body, id }));
    return waitFor(`reply ${id}`, () => this.received.find((m) => "id" in m && m.id === id));
  }

  events<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  close(): void {
    this.ws.close();
  }
}

/** Creates a room through the HTTP API; returns its id and link. */
/** A room with its lobby off: these tests are about the meeting, not about getting in. */
export async function createRoom(serverUrl: string): Promise<{ id: string; url: string }> {
  const response = await fetch(`${serverUrl}/api/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ lobby: false, e2ee: false }),
  });
  return (await response.json()) as { id: string; url: string };
}
