import { randomUUID } from "node:crypto";
import type { MediaState, Reaction, Role, ServerEvent } from "../../protocol/messages";
import type { MediaEngine } from "../media/types";
import { HandQueue } from "./hands";
import { type EventSink, Participant } from "./participant";
import { defaultSettings, type RoomSettings } from "./settings";

type RoomState = { state: "open" } | { state: "closed" };

/**
 * A meeting in progress: who is in it, and who receives whose media. Every
 * change happens here and is announced from here, so participants never see
 * a half-applied change.
 */
export class Room {
  private readonly participants = new Map<string, Participant>();
  private status: RoomState = { state: "open" };
  private readonly hands = new HandQueue();
  /** Room-level switches; moderation changes them here. */
  readonly settings: RoomSettings = defaultSettings();

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
          tracks: tracks.map((t) => ({
            mid: t.mid,
            participantId: t.sourceLabel,
            kind: t.kind,
            source: t.source,
          })),
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
    if (this.hands.set(participantId, false)) this.broadcastHands();
    for (const other of this.participants.values()) other.peer.unsubscribe(p.peer);
    p.peer.close();
    this.broadcast({ type: "participant-left", participantId });
    if (this.participants.size === 0) this.close();
  }

  /** Raised hands in order, as participant ids. */
  get handQueue(): string[] {
    return this.hands.queue;
  }

  setHand(participantId: string, raised: boolean): void {
    if (!this.participants.has(participantId)) return;
    if (this.hands.set(participantId, raised)) this.broadcastHands();
  }

  /**
   * Relays a chat message to everyone, the sender included (their copy confirms
   * delivery and carries the server's time). Nothing is kept: the text exists
   * only in this call.
   */
  chat(participantId: string, text: string): void {
    const p = this.participants.get(participantId);
    if (!p) return;
    this.broadcast({ type: "chat", from: p.id, name: p.name, text, at: Date.now() });
  }

  react(participantId: string, emoji: Reaction): void {
    if (!this.participants.has(participantId)) return;
    this.broadcast({ type: "reaction", from: participantId, emoji });
  }

  /**
   * Starts or stops forwarding a participant's screen. Returns false when the
   * share is refused: someone else shares and the room allows one at a time.
   */
  setScreenShare(participantId: string, on: boolean): boolean {
    const p = this.participants.get(participantId);
    if (!p) return false;
    if (p.screen === on) return true;
    if (on && !this.settings.multipleScreenShares) {
      for (const other of this.participants.values()) if (other.screen) return false;
    }
    p.screen = on;
    p.peer.setForwarding("screen", on);
    this.broadcast({ type: "participant-updated", participant: p.view() });
    return true;
  }

  get(participantId: string): Participant | undefined {
    return this.participants.get(participantId);
  }

  private broadcastHands(): void {
    this.broadcast({ type: "hands", queue: this.hands.queue });
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
