import { CLOSE, type ErrorCode } from "../../protocol/errors";
import {
  type ClientMessage,
  type ClientMessageType,
  PROTOCOL_VERSION,
  type Results,
  type ServerEvent,
  type ServerMessage,
} from "../../protocol/messages";
import { Emitter } from "./emitter";

/** A request the server refused, with the catalogue code the UI translates. */
export class RequestError extends Error {
  constructor(
    readonly code:
      | ErrorCode
      | "timeout"
      | "disconnected"
      | "e2ee-unsupported"
      /** The server served an unencrypted meeting to a link issued as encrypted. */
      | "e2ee-downgrade",
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/** A request's fields without `type` and `id`, which `request` adds. */
export type Body<T extends ClientMessageType> = Omit<
  Extract<ClientMessage, { type: T }>,
  "id" | "type"
>;

const REQUEST_TIMEOUT_MS = 15_000;
/** A socket that does not open within this time (the network is gone) counts as failed. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * Liveness: a browser cannot see WebSocket pings, so the client asks. A reply
 * missing for PING_TIMEOUT_MS means the path is dead (a TCP connection over a
 * vanished network stays "open" for minutes), and the client reconnects.
 */
const PING_INTERVAL_MS = 4_000;
const PING_TIMEOUT_MS = 8_000;
/** The close code the client reports for a connection it gave up on itself. */
export const CLOSE_NO_REPLY = 4000;

/** Why the connection ended: the WebSocket close code and reason. */
export interface Closed {
  code: number;
  reason: string;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The signalling connection: typed requests with replies matched by id, and server events. */
export class Signalling {
  readonly events = new Emitter<{ event: [ServerEvent]; closed: [Closed]; ticket: [string] }>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly pinger: ReturnType<typeof setInterval>;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => this.receive(String(e.data)));
    ws.addEventListener("close", (e) =>
      this.shutdown({ code: e.code, reason: e.reason || `connection closed (${e.code})` }),
    );
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
  }

  /** Opens the socket to this page's own origin and greets the server. */
  static async connect(url = defaultUrl()): Promise<Signalling> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(new RequestError("disconnected", "the server did not answer"));
      }, CONNECT_TIMEOUT_MS);
      ws.addEventListener(
        "open",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
      ws.addEventListener(
        "error",
        () => {
          clearTimeout(timer);
          reject(new RequestError("disconnected", "cannot reach the server"));
        },
        { once: true },
      );
    });
    const signalling = new Signalling(ws);
    try {
      await signalling.request("hello", { protocolVersion: PROTOCOL_VERSION });
    } catch (error) {
      signalling.close();
      throw error;
    }
    return signalling;
  }

  /** Asks for a reply; none in time means a dead path, reported as close code 4000. */
  private ping(): void {
    const id = this.nextId;
    this.request("ping", {}, PING_TIMEOUT_MS).then(
      (result) => {
        if (result.resume) this.events.emit("ticket", result.resume);
      },
      (error: RequestError) => {
        if (error.code !== "timeout" || this.closed) return;
        console.warn(`signalling: ping ${id} got no reply; reconnecting`);
        this.abandon();
      },
    );
  }

  /** Gives up on a connection that stopped carrying replies; the server keeps the place. */
  abandon(): void {
    if (this.closed) return;
    this.ws.close(CLOSE_NO_REPLY, "no reply");
    this.shutdown({ code: CLOSE_NO_REPLY, reason: "the connection stopped answering" });
  }

  request<T extends ClientMessageType>(
    type: T,
    body: Body<T>,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<Results[T]> {
    if (this.closed) return Promise.reject(new RequestError("disconnected", "not connected"));
    const id = this.nextId++;
    return new Promise<Results[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError("timeout", `${type} got no reply`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ ...body, type, id }));
    });
  }

  private receive(text: string): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === "ok" || message.type === "error") {
      const pending = message.id === null ? undefined : this.pending.get(message.id);
      if (!pending) {
        if (message.type === "error") console.warn(`server: ${message.code}: ${message.message}`);
        return;
      }
      this.pending.delete(message.id as number);
      clearTimeout(pending.timer);
      if (message.type === "ok") pending.resolve(message.result);
      else pending.reject(new RequestError(message.code, message.message));
      return;
    }
    this.events.emit("event", message);
  }

  private shutdown(closed: Closed): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pinger);
    // Refused for too many connections from this address (SPEC LIMIT-3): say so, not "lost".
    const code = closed.code === CLOSE.tooManyConnections ? "too-many-connections" : "disconnected";
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RequestError(code, closed.reason));
    }
    this.pending.clear();
    this.events.emit("closed", closed);
    this.events.clear();
  }

  /** Says goodbye (1000): the server lets the place go at once. */
  close(): void {
    if (this.closed) return;
    this.ws.close(1000, "bye");
    this.shutdown({ code: 1000, reason: "closed by client" });
  }
}

function defaultUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/ws`;
}
