import type { RoomSettings, ServerEvent, Waiter } from "../../protocol/messages";
import { DEFAULT_SETTINGS, type LobbyMessage, type ModerationNotice } from "./meeting-types";

/** The lobby shows this many of the moderators' latest messages; older ones fall off. */
const LOBBY_MESSAGES_KEPT = 10;

/** Below this downlink (bits per second) even the smallest video layer stutters. */
const AUDIO_ONLY_SUGGESTED_BELOW = 200_000;

/**
 * What the room tells this person besides who is in it (the roster's part):
 * its settings, who waits in the lobby, the last moderator notice, and
 * whether the downlink is too weak for video.
 */
export class RoomState {
  private current: RoomSettings = DEFAULT_SETTINGS;
  /**
   * Whether the meeting is end-to-end encrypted (and with which suite), fixed
   * at join for the meeting's lifetime: a later event cannot change it
   * (docs/E2EE.md, "No downgrade").
   */
  private fixed: Pick<RoomSettings, "e2ee" | "postQuantum"> | undefined;
  waiting: Waiter[] = [];
  lobbyMessages: LobbyMessage[] = [];
  notice: ModerationNotice | undefined;
  /** low: the downlink is weak; dismissed: the person said no to audio-only this meeting. */
  private downlink: "ok" | "low" | "dismissed" = "ok";

  get settings(): RoomSettings {
    return this.current;
  }

  /** The settings of a join reply; the first one fixes the encryption. */
  set settings(settings: RoomSettings) {
    this.fixed ??= { e2ee: settings.e2ee, postQuantum: settings.postQuantum };
    this.current = { ...settings, ...this.fixed };
  }

  /**
   * Whether chat and media must be encrypted: as fixed at join, and until
   * then assumed (nothing goes out in clear before the join reply says so).
   */
  get encrypted(): boolean {
    return this.fixed?.e2ee ?? true;
  }

  /** Whether the meeting is encrypted, once a join reply fixed it. */
  get fixedE2ee(): boolean | undefined {
    return this.fixed?.e2ee;
  }

  /** Whether `settings` would change the encryption fixed at join (a refused downgrade). */
  changesEncryption(settings: RoomSettings): boolean {
    return (
      this.fixed !== undefined &&
      (settings.e2ee !== this.fixed.e2ee || settings.postQuantum !== this.fixed.postQuantum)
    );
  }

  /** Takes in one of the room's events; false for any other event. */
  apply(event: ServerEvent, nameOf: (id: string) => string): boolean {
    switch (event.type) {
      case "lobby-updated":
        this.waiting = event.waiting;
        return true;
      case "lobby-message":
        this.lobbyMessages = [...this.lobbyMessages, { text: event.text, at: event.at }].slice(
          -LOBBY_MESSAGES_KEPT,
        );
        return true;
      case "moderated":
        this.notice = { action: event.action, by: nameOf(event.by) };
        return true;
      case "room-updated":
        this.settings = event.settings;
        return true;
      case "downlink":
        if (this.downlink !== "dismissed")
          this.downlink = event.bitrate < AUDIO_ONLY_SUGGESTED_BELOW ? "low" : "ok";
        return true;
      default:
        return false;
    }
  }

  /** Whether to suggest audio-only to someone who is not using it yet. */
  suggestAudioOnly(audioOnly: boolean): boolean {
    return this.downlink === "low" && !audioOnly;
  }

  /** The person does not want audio-only suggested again in this meeting. */
  dismissAudioOnly(): void {
    this.downlink = "dismissed";
  }

  /** Out of the meeting: nobody waits, no notice stands; a new join fixes the encryption anew. */
  reset(): void {
    this.waiting = [];
    this.lobbyMessages = [];
    this.notice = undefined;
    this.fixed = undefined;
  }
}
