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
  /**
   * The server lost this participant's media (its media worker crashed): the
   * connection ends with 1012 (service restart), and the client connects and
   * joins again.
   */
  restart(): void;
}

/** A participant as the room holds it. Identity and role are set here, by the server, only. */
export class Participant {
  media: MediaState = { audio: false, video: false };
  /** A moderator muted them: their audio is held back until they switch it on themselves. */
  mutedByModerator = false;
  /** Set by the room when it allows this participant's screen share. */
  screen = false;

  constructor(
    readonly id: string,
    readonly name: string,
    public role: Role,
    /** The browser session's id, so a kicked person is recognised (never stored). */
    readonly clientId: string,
    readonly sink: EventSink,
    readonly peer: MediaPeer,
  ) {}

  /** What other participants may see of this one. */
  view(): ParticipantView {
    return {
      id: this.id,
      name: this.name,
      media: { ...this.media },
      role: this.role,
      screen: this.screen,
    };
  }
}
