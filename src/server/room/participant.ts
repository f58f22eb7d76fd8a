import type {
  MediaState,
  Participant as ParticipantView,
  Role,
  ServerEvent,
} from "../../protocol/messages";
import type { MediaPeer } from "../media/types";

/** The smallest thing a room needs to reach a participant: tests pass their own. */
export interface EventSink {
  send(event: ServerEvent): void;
  /** The room let go of this participant (kicked, meeting ended); it is no longer in it. */
  detached(): void;
  /** The participant resumed on another connection; this one no longer speaks for them. */
  replaced?(): void;
  /**
   * The server lost this participant's media (its media worker crashed) and
   * the room has kept their place: the connection ends with 1012 (service
   * restart), and the client reconnects and resumes. One way: nothing here
   * calls the room back.
   */
  mediaLost?(): void;
}

/** A participant as the room holds it. Identity and role are set here, by the server, only. */
export class Participant {
  media: MediaState = { audio: false, video: false };
  /** A moderator muted them: their audio is held back until they switch it on themselves. */
  mutedByModerator = false;
  /** Set by the room when it allows this participant's screen share. */
  screen = false;
  /**
   * Hashes of the resume tokens that may take this place back (the current one
   * and the one before, in case the newer ticket never arrived); never the tokens.
   */
  tokenHashes: string[] = [];
  /** Set while their connection is gone and the place is kept (docs/PROTOCOL.md, resume). */
  parked: { timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    public role: Role,
    /** The browser session's id, so a kicked person is recognised (never stored). */
    readonly clientId: string,
    /** Where events go: their connection, or a holding buffer while they reconnect. */
    public sink: EventSink,
    /** Replaced when they resume: a new connection negotiates media afresh. */
    public peer: MediaPeer,
    /** Their network address (memory only), for the keyed hash a kick records. */
    readonly address = "",
  ) {}

  /** What other participants may see of this one. */
  view(): ParticipantView {
    return {
      id: this.id,
      name: this.name,
      media: { ...this.media },
      role: this.role,
      screen: this.screen,
      ...(this.parked ? { reconnecting: true } : {}),
    };
  }
}
