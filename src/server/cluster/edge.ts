import { CLOSE } from "../../protocol/errors";
import { ClientMessage, RoomId, type ServerEvent } from "../../protocol/messages";
import { parseMessage } from "../signalling/parse";
import type { Identity, Session, Socket } from "../signalling/session";
import { NODE_TTL_MS } from "./keys";
import { type ClusterNode, ClusterUnavailable, OwnerUnreachable, type RelayLink } from "./node";

/** Frames a client may send while its join is being placed; more is a flood. */
const MAX_PENDING = 64;

/** How soon a join placed on a node that just died tries again. */
const RETRY_MS = 300;

type Mode =
  | { mode: "local" }
  | { mode: "placing"; pending: string[] }
  | { mode: "relayed"; link: RelayLink; roomId: string }
  | { mode: "closed" };

/**
 * One client WebSocket on a cluster node. It greets locally; its `join`
 * decides where the rest runs: here when the room is placed here, otherwise
 * on the room's node, to which every further frame is relayed unchanged.
 */
export class EdgeConnection {
  private current: Mode = { mode: "local" };

  constructor(
    private readonly session: Session,
    private readonly cluster: ClusterNode,
    private readonly identity: Identity,
    private readonly socket: Socket,
  ) {}

  receive(text: string): void {
    const c = this.current;
    switch (c.mode) {
      case "closed":
        return;
      case "relayed": {
        // Another room (after leaving this one) may live elsewhere: it is placed like the first.
        const join = joinOf(text);
        if (join && join.roomId !== c.roomId && RoomId.safeParse(join.roomId).success) {
          c.link.close();
          this.current = { mode: "placing", pending: [text] };
          void this.place(join.roomId, join.id);
        } else c.link.send(text);
        return;
      }
      case "placing":
        if (c.pending.length >= MAX_PENDING) this.close(CLOSE.policyViolation, "flood");
        else c.pending.push(text);
        return;
      case "local": {
        const join = joinOf(text);
        // A malformed room id is the session's to refuse, like an unknown one; it is never placed.
        if (
          !join ||
          !RoomId.safeParse(join.roomId).success ||
          this.session.state.state !== "ready"
        ) {
          this.session.receive(text);
          return;
        }
        this.current = { mode: "placing", pending: [text] };
        void this.place(join.roomId, join.id);
      }
    }
  }

  private async place(roomId: string, requestId: number | null): Promise<void> {
    let next: Mode;
    try {
      next = await this.route(roomId);
    } catch (error) {
      const was = this.current;
      if (was.mode !== "placing") return;
      this.current = { mode: "local" };
      const message =
        error instanceof ClusterUnavailable || error instanceof OwnerUnreachable
          ? error.message
          : String(error);
      this.cluster.log.warn({ err: message }, "cluster: join refused");
      this.socket.send(
        JSON.stringify({
          type: "error",
          id: requestId,
          code: "cluster-unavailable",
          message: `The meeting service cannot place this meeting right now (${message}); try again in a moment.`,
        }),
      );
      // What came after the refused join meets a session that is not in a room, as it should.
      for (const frame of was.pending.slice(1)) this.session.receive(frame);
      return;
    }
    const was = this.current;
    if (was.mode !== "placing") {
      if (next.mode === "relayed") next.link.close();
      return;
    }
    this.current = next;
    if (next.mode === "relayed") for (const frame of was.pending) next.link.send(frame);
    else for (const frame of was.pending) this.session.receive(frame);
  }

  /**
   * Where the session runs. A room whose node died a moment ago still names
   * it until its heartbeat expires (NODE_TTL_MS); the join waits that out and
   * is then placed anew, instead of failing.
   */
  private async route(roomId: string): Promise<Mode> {
    const deadline = Date.now() + 2 * NODE_TTL_MS;
    for (;;) {
      const owner = await this.cluster.place(roomId);
      if (owner === this.cluster.nodeId) return { mode: "local" };
      try {
        return {
          mode: "relayed",
          link: await this.cluster.relay(owner, this.identity, this.socket),
          roomId,
        };
      } catch (error) {
        if (!(error instanceof OwnerUnreachable) || Date.now() > deadline) throw error;
        if (this.current.mode === "closed") throw error;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  close(code: number = CLOSE.goingAway, reason = "connection closed"): void {
    const c = this.current;
    if (c.mode === "closed") return;
    this.current = { mode: "closed" };
    if (c.mode === "relayed") c.link.close(code);
    this.session.close(code, reason);
  }

  /** A server event for this client, from this node (e.g. that it shuts down). */
  send(event: ServerEvent): void {
    if (this.current.mode === "relayed") this.socket.send(JSON.stringify(event));
    else this.session.send(event);
  }

  /**
   * The client's socket closed: a relayed session learns it with the close
   * code, so the room's node keeps the place for a resume, as a local one does.
   */
  connectionLost(code: number): void {
    const c = this.current;
    if (c.mode === "closed") return;
    this.current = { mode: "closed" };
    if (c.mode === "relayed") {
      c.link.close(code);
      this.session.close(CLOSE.goingAway, "connection closed");
    } else this.session.connectionLost(code);
  }

  /** This node shuts down: the client reconnects (1012) through another node and resumes. */
  shutdown(): void {
    const c = this.current;
    if (c.mode === "closed") return;
    this.current = { mode: "closed" };
    if (c.mode === "relayed") {
      c.link.close(CLOSE.serviceRestart);
      this.socket.close(CLOSE.serviceRestart, "server restarting");
    } else this.session.shutdown();
  }
}

/**
 * The room a frame asks to join, from the frame as the session itself will
 * read it (SPEC EDGE-1): parsed with the same checks and validated with the
 * same schema, so that no spelling (`"\u006aoin"`, duplicate keys) routes
 * differently here than it is handled there.
 */
function joinOf(text: string): { roomId: string; id: number | null } | undefined {
  const parsed = parseMessage(text);
  if (!parsed.ok) return undefined;
  const message = ClientMessage.safeParse(parsed.value);
  if (!message.success || message.data.type !== "join") return undefined;
  return { roomId: message.data.roomId, id: message.data.id };
}
