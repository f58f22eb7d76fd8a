import { RequestError, type Signalling } from "./signalling";

/**
 * A moderator's commands. The server checks every one against the sender's
 * role; the UI only offers them to moderators, for convenience, not safety.
 */
export class Moderation {
  constructor(private readonly connection: () => Signalling | undefined) {}

  private get s(): Signalling {
    const signalling = this.connection();
    if (!signalling) throw new RequestError("disconnected", "not in a meeting");
    return signalling;
  }

  admit = (waiterId: string) => this.s.request("admit", { waiterId });
  admitAll = () => this.s.request("admit-all", {});
  /** Turns someone away; a reason, if given, is shown to them. */
  deny = (waiterId: string, reason?: string) =>
    this.s.request("deny", { waiterId, ...(reason ? { reason } : {}) });
  /** A short message to everyone waiting in the lobby (SPEC LOBBY-4). */
  messageLobby = (text: string) => this.s.request("lobby-message", { text });
  setLocked = (locked: boolean) => this.s.request("lock", { locked });
  kick = (participantId: string) => this.s.request("kick", { participantId });
  mute = (participantId: string) => this.s.request("mute", { participantId });
  muteAll = () => this.s.request("mute-all", {});
  requestUnmute = (participantId: string) => this.s.request("request-unmute", { participantId });
  setRole = (participantId: string, role: "moderator" | "participant") =>
    this.s.request("set-role", { participantId, role });
  updateSettings = (settings: {
    lobby?: boolean;
    chat?: boolean;
    multipleScreenShares?: boolean;
  }) => this.s.request("update-settings", { settings });
  endMeeting = () => this.s.request("end-meeting", {});
  /** Sets the room password, or removes it with null. */
  setPassword = (password: string | null) => this.s.request("set-password", { password });
}
