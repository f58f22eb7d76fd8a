import { randomUUID } from "node:crypto";
import type { MediaState, Role, ServerEvent } from "../../protocol/messages";
import type { MediaEngine } from "../media/types";
import { type EventSink, Participant } from "./participant";

type RoomState = { state: "open" } | { state: "closed" };

/**
 * A meeting in progress: who is in it, and who receives whose media. Every
 * change happens here and is announced from here, so participants never see
 * a half-applied change.
 */
export class Room {
  private readonly participants = new Map<string, Participant>();
  private status: RoomState = { state: "open" };

  constructor(
    readonly id: string,
    private readonly media: MediaEngine,
    /** Called once the last participant has left, or on close. */
    private readonly onEmpty: (room: Room) => void,
  ) {}

  get size(): number {
    return this.participants.size;
  }

  get isOpen(): boolean {
    return this.status.state === "open";
  }

  /** Adds a participant, connects media both ways with everyone present and tells the others. */
  join(name: string, role: Role, sink: EventSink): { self: Participant; others: Participant[] } {
    if (this.status.state !== "open") throw new Error("room is closed");
    const id = randomUUID();
    const peer = this.media.createPeer(id, {
      offer: (sdp, tracks) =>
        sink.send({
          type: "subscriber-offer",
          sdp,
          tracks: tracks.map((t) => ({ mid: t.mid, participantId: t.sourceLabel, kind: t.kind })),
        }),
      failed: () => undefined, // the client notices too and reconnects; see issue on resilience
    });
    const self = new Participant(id, name, role, sink, peer);
    const others = [...this.participants.values()];
    for (const other of others) {
      peer.subscribe(other.peer);
      other.peer.subscribe(peer);
    }
    this.participants.set(id, self);
    this.broadcast({ type: "participant-joined", participant: self.view() }, id);
    return { self, others };
  }

  setMedia(participantId: string, media: MediaState): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    p.media = { ...media };
    this.broadcast({ type: "participant-updated", participant: p.view() }, participantId);
  }

  /** Removes a participant; idempotent. The room closes itself when the last one leaves. */
  leave(participantId: string): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.participants.delete(participantId);
    for (const other of this.participants.values()) other.peer.unsubscribe(p.peer);
    p.peer.close();
    this.broadcast({ type: "participant-left", participantId });
    if (this.participants.size === 0) this.close();
  }

  get(participantId: string): Participant | undefined {
    return this.participants.get(participantId);
  }

  private broadcast(event: ServerEvent, exceptId?: string): void {
    for (const p of this.participants.values()) if (p.id !== exceptId) p.sink.send(event);
  }

  /** Closes every participant's media; idempotent. */
  close(): void {
    if (this.status.state === "closed") return;
    this.status = { state: "closed" };
    for (const p of this.participants.values()) p.peer.close();
    this.participants.clear();
    this.onEmpty(this);
  }
}

export type { EventSink };
