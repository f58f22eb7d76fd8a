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
import { PasswordsBusy } from "../auth/passwords";
import type { RoomDirectory } from "../room/directory";
import type { Participant } from "../room/participant";
import { ResumeTickets } from "../room/resume-ticket";
import type { Room } from "../room/room";
import { StoreUnavailableError } from "../store/unavailable";
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

type StateName = SessionState["state"];

/**
 * The legal moves, and the only ones: each verb of the session, the states
 * it may start from and the state it ends in. Any other move is a bug that
 * throws (a handler's is answered `internal`).
 */
const MOVES = {
  greeted: { from: ["awaiting-hello"], to: "ready" },
  waitInLobby: { from: ["ready"], to: "waiting" },
  entered: { from: ["ready", "waiting"], to: "joined" },
  leftRoom: { from: ["joined", "waiting"], to: "ready" },
  detached: { from: ["joined"], to: "ready" },
  close: { from: ["awaiting-hello", "ready", "waiting", "joined"], to: "closed" },
} as const satisfies Record<string, { from: readonly StateName[]; to: StateName }>;

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
  /** Resume tickets, and how long a place is kept after its connection dropped. */
  resume: { tickets: ResumeTickets; windowMs: number };
  /** Set once the server shuts down: joins are refused (`shutting-down`). */
  lifecycle: { draining: boolean };
  /** TURN servers with fresh credentials for a person entering (empty without TURN). */
  iceServers: () => IceServer[];
  /** People per meeting and per lobby (SPEC LIMIT-1). */
  limits: { participants: number; lobby: number; moderatorActionsPerMinute: number };
}

/** A ticket older than this is replaced by the next `ping` reply. */
const TICKET_REFRESH_MS = 60_000;

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
  /**
   * Moderation that writes to the store or reaches everyone (set-password runs
   * argon2, a write and an audit row) is limited per moderator (SPEC LIMIT-1).
   */
  readonly moderationBucket: TokenBucket;
  private lastRateLimitReply = 0;
  /** Messages are handled one at a time, in order, so a slow handler cannot be overtaken. */
  private queue: Promise<void> = Promise.resolve();
  /** Work a handler left for after its reply went out (held events of a resumed place). */
  private afterReplyTasks: (() => void)[] = [];
  private ticketIssuedAt = 0;

  constructor(
    private readonly socket: Socket,
    readonly deps: SessionDeps,
    readonly identity: Identity,
  ) {
    this.bucket = new TokenBucket(deps.rate.perSecond, deps.rate.burst);
    const perMinute = deps.limits.moderatorActionsPerMinute;
    this.moderationBucket = new TokenBucket(perMinute / 60, Math.min(perMinute, 20));
  }

  get state(): SessionState {
    return this.current;
  }

  /** The client greeted with our protocol version (or the relaying node checked that it did). */
  greeted(): void {
    this.move("greeted", { state: "ready" });
  }

  /** Knocked at a room's lobby and waits there. */
  waitInLobby(room: Room, knockId: string): void {
    this.move("waitInLobby", { state: "waiting", room, knockId });
  }

  /** Entered a room: joined, admitted from the lobby, or resumed a kept place. */
  entered(room: Room, self: Participant): void {
    this.move("entered", { state: "joined", room, self });
  }

  /** Out of the room or lobby (left, denied, turned away as full); the connection stays open. */
  leftRoom(): void {
    this.move("leftRoom", { state: "ready" });
  }

  /** The only writer of the state: refuses a move the table does not allow. */
  private move<V extends keyof typeof MOVES>(
    verb: V,
    next: Extract<SessionState, { state: (typeof MOVES)[V]["to"] }>,
  ): void {
    const from: readonly StateName[] = MOVES[verb].from;
    if (!from.includes(this.current.state))
      throw new Error(`session cannot ${verb} from ${this.current.state}`);
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
      if (error instanceof ProtocolError) this.sendError(msg.id, error);
      else if (error instanceof PasswordsBusy) this.sendError(msg.id, new ProtocolError("busy"));
      else if (error instanceof StoreUnavailableError) {
        this.deps.log.warn({ type: msg.type }, "database unreachable");
        this.sendError(msg.id, new ProtocolError("store-unavailable"));
      } else {
        this.deps.log.error({ err: error, type: msg.type }, "handler failed");
        this.sendError(msg.id, new ProtocolError("internal"));
      }
    } finally {
      for (const task of this.afterReplyTasks.splice(0)) task();
    }
  }

  /** Runs `task` once the reply to the message being handled has been sent. */
  afterReply(task: () => void): void {
    this.afterReplyTasks.push(task);
  }

  /**
   * A resume ticket for this session's place. Each one carries a fresh token;
   * the place accepts it and the one before, in case the newer never arrived.
   */
  issueTicket(): string | undefined {
    if (this.current.state !== "joined") return undefined;
    const { room, self } = this.current;
    const token = ResumeTickets.newToken();
    self.tokenHashes = [ResumeTickets.hashToken(token), ...self.tokenHashes].slice(0, 2);
    this.ticketIssuedAt = Date.now();
    return this.deps.resume.tickets.issue(
      { roomId: room.id, participantId: self.id, role: self.role, token },
      this.identity.clientId,
    );
  }

  /** A fresh ticket when the one the client holds is getting old. */
  refreshTicket(): string | undefined {
    if (Date.now() - this.ticketIssuedAt < TICKET_REFRESH_MS) return undefined;
    return this.issueTicket();
  }

  /** Sends a server event (not a reply). */
  send(event: ServerEvent): void {
    this.write(event);
  }

  /** The room let go of this session's participant (kicked, meeting ended). */
  detached(): void {
    if (this.current.state === "joined") this.move("detached", { state: "ready" });
  }

  /** The participant resumed on another connection: this one ends without leaving. */
  replaced(): void {
    if (this.current.state !== "joined") return;
    this.move("close", { state: "closed" });
    this.socket.close(CLOSE.replaced, "resumed on another connection");
  }

  /**
   * Asks the client to reconnect and resume (close 1012), keeping its place:
   * e.g. after the media worker of its room failed. The resumed place gets
   * new media connections.
   */
  reconnect(reason = "please reconnect"): void {
    const was = this.current;
    if (was.state === "closed") return;
    this.move("close", { state: "closed" });
    if (was.state === "joined") was.room.park(was.self.id, this.deps.resume.windowMs);
    if (was.state === "waiting") was.room.withdraw(was.knockId);
    this.socket.close(CLOSE.serviceRestart, reason);
  }

  /** The server shuts down: the socket closes with 1012 (reconnect), the room is closed after. */
  shutdown(): void {
    if (this.current.state === "closed") return;
    this.move("close", { state: "closed" });
    this.socket.close(CLOSE.serviceRestart, "server restarting");
  }

  /**
   * The socket closed. A client that says goodbye (1000) leaves; any other
   * close (network gone, 1001, 1006, a restarting proxy) keeps the place for
   * the resume window, and the others see the person reconnecting.
   */
  connectionLost(code: number): void {
    const was = this.current;
    if (was.state === "joined" && code !== CLOSE.normal && this.deps.resume.windowMs > 0) {
      this.move("close", { state: "closed" });
      was.room.park(was.self.id, this.deps.resume.windowMs);
      return;
    }
    this.close(CLOSE.goingAway, "connection closed");
  }

  /**
   * The server lost this session's media (its media worker crashed); the
   * room already kept the place as after a dropped connection. The socket
   * closes with 1012, so the client reconnects, resumes and gets new media
   * connections.
   */
  mediaLost(): void {
    if (this.current.state !== "joined") return;
    this.move("close", { state: "closed" });
    this.socket.close(CLOSE.serviceRestart, "media restarted");
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
    this.move("close", { state: "closed" });
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
