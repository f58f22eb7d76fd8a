import WebSocket from "ws";
import type { ErrorCode } from "../../src/protocol/errors";
import {
  type ClientMessageType,
  PROTOCOL_VERSION,
  type Request,
  type Results,
  type ServerMessage,
} from "../../src/protocol/messages";

/** An `error` reply to a request, thrown so a test failure names the code. */
export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Generous: a loaded CI box may take seconds to answer, a broken server never does. */
const DEADLINE_MS = 20_000;

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };
type Waiter = { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void };

/**
 * A raw protocol connection: requests matched to replies by `id`, and every
 * other message (events, replies to nothing) kept in an inbox that tests take
 * from in order.
 */
export class SignallingClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly inbox: ServerMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(m: ServerMessage) => void>();
  /** Resolves once the socket has closed, with the server's close code. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        const error = new Error(`socket closed (${code}) before a reply`);
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on("message", (data) => this.receive(JSON.parse(data.toString()) as ServerMessage));
    // Every error is followed by "close", which settles what is pending.
    ws.on("error", () => undefined);
  }

  /** Cookies the server set on the upgrade, as a browser would keep them (`name=value; …`). */
  cookies = "";

  /** Opens a WebSocket to `baseUrl`'s signalling endpoint. */
  static connect(
    baseUrl: string,
    headers: Record<string, string> = {},
    /** Another loopback address (127.0.0.2, …) stands for another computer. */
    localAddress?: string,
  ): Promise<SignallingClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/ws`, {
      headers,
      ...(localAddress ? { localAddress } : {}),
    });
    let cookies = headers.cookie ?? "";
    ws.once("upgrade", (response) => {
      const set = response.headers["set-cookie"] ?? [];
      const fresh = set.map((c) => c.split(";")[0]).join("; ");
      if (fresh) cookies = cookies ? `${cookies}; ${fresh}` : fresh;
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        const client = new SignallingClient(ws);
        client.cookies = cookies;
        resolve(client);
      });
      // A refused upgrade surfaces here as "Unexpected server response: 403".
      ws.once("error", reject);
    });
  }

  /** Connects and says hello, as every client must first. */
  static async greeted(
    baseUrl: string,
    headers: Record<string, string> = {},
    localAddress?: string,
  ): Promise<SignallingClient> {
    const client = await SignallingClient.connect(baseUrl, headers, localAddress);
    await client.request({ type: "hello", protocolVersion: PROTOCOL_VERSION });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a request and resolves with its `ok` result; rejects with RequestError on `error`. */
  request<T extends ClientMessageType>(
    message: Omit<Request<T>, "id"> & { type: T },
    timeoutMs = DEADLINE_MS,
  ): Promise<Results[T]> {
    const id = this.nextId++;
    return new Promise<Results[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${message.type} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle =
        <A>(fn: (a: A) => void) =>
        (a: A) => {
          clearTimeout(timer);
          fn(a);
        };
      this.pending.set(id, {
        resolve: settle(resolve as (r: unknown) => void),
        reject: settle(reject),
      });
      this.sendRaw(JSON.stringify({ ...message, id }));
    });
  }

  /** Sends any text, valid or not; for tests of the server's defences. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Called for every message received, including replies. Returns a disposer. */
  onMessage(listener: (m: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Removes and returns the oldest inbox message that `match` accepts, waiting
   * for one if none is there yet.
   */
  take<M extends ServerMessage>(
    what: string,
    match: (m: ServerMessage) => m is M,
    timeoutMs?: number,
  ): Promise<M>;
  take(
    what: string,
    match: (m: ServerMessage) => boolean,
    timeoutMs?: number,
  ): Promise<ServerMessage>;
  take(
    what: string,
    match: (m: ServerMessage) => boolean,
    timeoutMs = DEADLINE_MS,
  ): Promise<ServerMessage> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0] as ServerMessage);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.inbox.map((m) => m.type).join(", ") || "nothing";
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (inbox: ${seen})`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** The messages nobody has taken yet (for asserting that something did not arrive). */
  get unread(): readonly ServerMessage[] {
    return this.inbox;
  }

  private receive(message: ServerMessage): void {
    for (const listener of this.listeners) listener(message);
    if ((message.type === "ok" || message.type === "error") && message.id !== null) {
      const pending = this.pending.get(message.id);
      if (pending) {
        this.pending.delete(message.id);
        if (message.type === "ok") pending.resolve(message.result);
        else pending.reject(new RequestError(message.code, message.message));
        return;
      }
    }
    for (const waiter of this.waiters) {
      if (waiter.match(message)) {
        this.waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.inbox.push(message);
  }

  /** Cuts the connection without a closing handshake, as a dead network would (the server sees 1006). */
  async drop(): Promise<void> {
    this.ws.terminate();
    await this.closed;
  }

  /** Closes the socket; idempotent. Resolves once it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000, "bye");
      // A server that stopped answering would leave the closing handshake hanging for 30 s.
      const force = setTimeout(() => this.ws.terminate(), 2_000);
      await this.closed;
      clearTimeout(force);
    }
    await this.closed;
  }
}
