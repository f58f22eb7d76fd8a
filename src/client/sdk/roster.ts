import type { Participant, ServerEvent } from "../../protocol/messages";
import type { Notice, RemoteParticipant } from "./meeting-types";
import type { RemoteStreams } from "./subscriber";

/**
 * Who else is in the meeting, with their received streams, and the order of
 * raised hands: the server's roster events applied in one place, with the
 * notices a person should get (someone joined, left, raised a hand).
 */
export class Roster {
  private readonly people = new Map<string, RemoteParticipant>();
  private queue: string[] = [];
  /** When this client first saw each participant present (ms), for the encryption check's grace. */
  private readonly seen = new Map<string, number>();
  /** Names of everyone seen in this meeting, so that a departure can still be named. */
  private readonly names = new Map<string, string>();

  constructor(
    /** The streams received from `id` so far (none before the first offer maps them). */
    private readonly streamsOf: (id: string) => Pick<RemoteParticipant, "stream" | "screenStream">,
    private readonly notice: (notice: Notice) => void,
  ) {}

  get participants(): RemoteParticipant[] {
    return [...this.people.values()];
  }

  get hands(): string[] {
    return this.queue;
  }

  nameOf(id: string): string | undefined {
    return this.people.get(id)?.name;
  }

  /** Whether `id` is someone present in the meeting now, as this client sees it. */
  has(id: string): boolean {
    return this.people.has(id);
  }

  /** When this client first saw `id` present (ms since epoch). */
  seenSince(id: string): number | undefined {
    return this.seen.get(id);
  }

  /** The name of anyone seen in this meeting, present or gone. */
  formerName(id: string): string | undefined {
    return this.names.get(id);
  }

  /** Everyone present and the hands, as the join reply says. */
  reset(participants: Participant[], hands: string[]): void {
    this.people.clear();
    this.seen.clear();
    for (const p of participants) this.set(p);
    this.queue = hands;
  }

  clear(): void {
    this.people.clear();
    this.queue = [];
    this.seen.clear();
    this.names.clear();
  }

  /** The subscriber mapped its tracks anew. */
  attach(streams: RemoteStreams): void {
    for (const [id, p] of this.people)
      this.people.set(id, {
        ...p,
        stream: streams.media.get(id),
        screenStream: streams.screens.get(id),
      });
  }

  /** Applies a roster event (another participant's); false for any other event. */
  apply(event: ServerEvent): boolean {
    switch (event.type) {
      case "participant-joined":
        this.set(event.participant);
        this.notice({ kind: "joined", name: event.participant.name });
        return true;
      case "participant-updated":
        this.set(event.participant);
        return true;
      case "participant-reconnecting":
      case "participant-reconnected": {
        const p = this.people.get(event.participantId);
        if (!p) return true;
        const { reconnecting: _, ...rest } = p;
        this.people.set(
          p.id,
          event.type === "participant-reconnecting" ? { ...rest, reconnecting: true } : rest,
        );
        return true;
      }
      case "participant-left": {
        const name = this.people.get(event.participantId)?.name;
        this.people.delete(event.participantId);
        this.seen.delete(event.participantId);
        if (name !== undefined) this.notice({ kind: "left", name });
        return true;
      }
      case "hands":
        for (const id of event.queue) {
          const name = this.people.get(id)?.name;
          if (!this.queue.includes(id) && name !== undefined) this.notice({ kind: "hand", name });
        }
        this.queue = event.queue;
        return true;
      default:
        return false;
    }
  }

  private set(p: Participant): void {
    this.people.set(p.id, { ...p, ...this.streamsOf(p.id) });
    if (!this.seen.has(p.id)) this.seen.set(p.id, Date.now());
    this.names.set(p.id, p.name);
  }
}
