import type { ErrorCode } from "../../protocol/errors";
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
    readonly code: ErrorCode | "timeout" | "disconnected" | "e2ee-unsupported",
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

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The signalling connection: typed requests with replies matched by id, and server events. */
export class Signalling {
  readonly events = new Emitter<{ event: [ServerEvent]; closed: [string] }>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => this.receive(String(e.data)));
    ws.addEventListener("close", (e) => this.shutdown(e.reason || `connection closed (${e.code})`));
  }

  /** Opens the socket to this page's own origin and greets the server. */
  static async connect(url = defaultUrl()): Promise<Signalling> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener(
        "error",
        () => reject(new RequestError("disconnected", "cannot reach the server")),
        {
          once: true,
        },
      );
    });
    const signalling = new Signalling(ws);
    await signalling.request("hello", { protocolVersion: PROTOCOL_VERSION });
    return signalling;
  }

  request<T extends ClientMessageType>(type: T, body: Body<T>): Promise<Results[T]> {
    if (this.closed) return Promise.reject(new RequestError("disconnected", "not connected"));
    const id = this.nextId++;
    return new Promise<Results[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError("timeout", `${type} got no reply`));
      }, REQUEST_TIMEOUT_MS);
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

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RequestError("disconnected", reason));
    }
    this.pending.clear();
    this.events.emit("closed", reason);
    this.events.clear();
  }

  close(): void {
    if (this.closed) return;
    this.ws.close(1000, "bye");
    this.shutdown("closed by client");
  }
}

function defaultUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/ws`;
}
