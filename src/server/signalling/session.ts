import type { Logger } from "pino";
import { CLOSE } from "../../protocol/errors";
import {
  ClientMessage,
  type ClientMessageType,
  type IceServer,
  type Reply,
  type ServerEvent,
  type ServerMessage,
} from "../../protocol/messages";
import type { AccountRef } from "../auth/account";
import type { RoomDirectory } from "../room/directory";
import type { Participant } from "../room/participant";
import type { Room } from "../room/room";
import { ProtocolError } from "./errors";
import type { AccessGuard } from "./guard";
import { handlers } from "./handlers";
import { parseMessage } from "./parse";
import { TokenBucket } from "./rate-limit";

/** The transport under a session: a WebSocket in production, anything in tests. */
export interface Socket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/**
 * A connection's life: it must greet first, may then join one room, and ends
 * closed. Each state carries only what exists in it.
 */
export type SessionState =
  | { state: "awaiting-hello" }
  | { state: "ready" }
  | { state: "waiting"; room: Room; knockId: string }
  | { state: "joined"; room: Room; self: Participant }
  | { state: "closed" };

/** Who is on the other end, established at connection time and never from a message. */
export interface Identity {
  /** The signed-in organiser, if any. */
  account: AccountRef | undefined;
  /** The browser session's random id (cookie). */
  clientId: string;
  /** The peer's IP address: kept in memory for rate limits, never stored or logged. */
  address: string;
}

export interface SessionDeps {
  directory: RoomDirectory;
  guard: AccessGuard;
  log: Logger;
  /** Messages a client may send per second, and in one burst (joining sends a few at once). */
  rate: { perSecond: number; burst: number };
  /** TURN servers with fresh credentials for a person entering (empty without TURN). */
  iceServers: () => IceServer[];
}

/** Chat messages and reactions a client may send per second, and in one burst. */
const CHAT_RATE = { perSecond: 2, burst: 8 };

/** One client connection speaking the signalling protocol. */
export class Session {
  private current: SessionState = { state: "awaiting-hello" };
  private readonly bucket: TokenBucket;
  /**
   * Chat messages and reactions reach everyone in the room, so one person could
   * flood many screens: they get a stricter bucket of their own.
   */
  readonly chatBucket = new TokenBucket(CHAT_RATE.perSecond, CHAT_RATE.burst);
  private lastRateLimitReply = 0;
  /** Messages are handled one at a time, in order, so a slow handler cannot be overtaken. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    readonly deps: SessionDeps,
    readonly identity: Identity,
  ) {
    this.bucket = new TokenBucket(deps.rate.perSecond, deps.rate.burst);
  }

  get state(): SessionState {
    return this.current;
  }

  transition(next: SessionState): void {
    this.current = next;
  }

  /** The room and participant of a joined session; throws `not-joined` otherwise. */
  joined(): Extract<SessionState, { state: "joined" }> {
    if (this.current.state !== "joined") throw new ProtocolError("not-joined");
    return this.current;
  }

  /** Entry point for every frame received. Never throws. */
  receive(text: string): void {
    if (this.current.state === "closed") return;
    if (!this.bucket.take()) {
      // One reply per second at most: a flood must not be answered by a flood.
      const now = Date.now();
      if (now - this.lastRateLimitReply > 1000) {
        this.lastRateLimitReply = now;
        this.sendError(null, new ProtocolError("rate-limited"));
      }
      return;
    }
    this.queue = this.queue.then(() => this.handle(text));
  }

  private async handle(text: string): Promise<void> {
    if (this.current.state === "closed") return;
    const parsed = parseMessage(text);
    if (!parsed.ok)
      return this.sendError(
        null,
        new ProtocolError(parsed.code, `${parsed.code}: ${parsed.detail}`),
      );
    const message = ClientMessage.safeParse(parsed.value);
    if (!message.success) {
      const id = requestIdOf(parsed.value);
      const detail = message.error.issues
        .map((i) => `${i.path.join(".") || "message"}: ${i.message}`)
        .join("; ");
      return this.sendError(id, new ProtocolError("bad-message", detail));
    }
    const msg = message.data;
    if (this.current.state === "awaiting-hello" && msg.type !== "hello") {
      this.sendError(msg.id, new ProtocolError("hello-first"));
      return this.close(CLOSE.policyViolation, "hello-first");
    }
    try {
      const handler = handlers[msg.type] as (s: Session, m: ClientMessage) => Promise<unknown>;
      const result = await handler(this, msg);
      this.sendReply({ type: "ok", id: msg.id, result } as Reply<ClientMessageType>);
    } catch (error) {
      if (error instanceof ProtocolError) return this.sendError(msg.id, error);
      this.deps.log.error({ err: error, type: msg.type }, "handler failed");
      this.sendError(msg.id, new ProtocolError("internal"));
    }
  }

  /** Sends a server event (not a reply). */
  send(event: ServerEvent): void {
    this.write(event);
  }

  /** The room let go of this session's participant (kicked, meeting ended). */
  detached(): void {
    if (this.current.state === "joined") this.current = { state: "ready" };
  }

  private sendReply(reply: Reply): void {
    this.write(reply);
  }

  private sendError(id: number | null, error: ProtocolError): void {
    this.write({ type: "error", id, code: error.code, message: error.message });
  }

  private write(message: ServerMessage): void {
    if (this.current.state === "closed") return;
    this.socket.send(JSON.stringify(message));
  }

  /** Leaves the room (if in one) and ends the session; idempotent. */
  close(code: number = CLOSE.normal, reason = "bye"): void {
    const was = this.current;
    if (was.state === "closed") return;
    this.current = { state: "closed" };
    if (was.state === "joined") was.room.leave(was.self.id);
    if (was.state === "waiting") was.room.withdraw(was.knockId);
    this.socket.close(code, reason);
  }
}

/** Echo the request id even for an invalid message when it has a usable one. */
function requestIdOf(value: unknown): number | null {
  if (typeof value === "object" && value !== null && "id" in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) return id;
  }
  return null;
}
