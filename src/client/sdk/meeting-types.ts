import type {
  Denial,
  ModerationAction,
  Participant,
  Reaction,
  RoomSettings,
  Waiter,
} from "../../protocol/messages";
import type { DeviceError, DeviceLists } from "./devices";
import type { E2eeStatus } from "./e2ee/controller";
import type { EncryptionGroupView } from "./e2ee/group-view";
import type { DeviceChoices } from "./preferences";
import type { Quality } from "./speaker";

/** What the Meeting shows its users: snapshots, events and results. */

export interface RemoteParticipant extends Participant {
  /** Their audio and video as received; absent until the first offer maps them. */
  stream?: MediaStream;
  /** Their shared screen, while `screen` is true. */
  screenStream?: MediaStream;
  /** Frames from them keep failing to decrypt: they are dropped, the tile warns. */
  e2eeWarning?: boolean;
}

/** Where the meeting is; each state carries only what exists in it. */
export type MeetingStatus =
  | { status: "idle" }
  | { status: "joining" }
  /** Waiting in the lobby for a moderator; nothing of the meeting is known yet. */
  | { status: "lobby" }
  | { status: "joined"; self: Participant; locked: boolean }
  | { status: "left" }
  /** Turned away from the lobby: by a moderator (perhaps saying why), or the meeting was full. */
  | ({ status: "denied" } & Denial)
  | { status: "removed"; reason: "kicked" | "ended" }
  | { status: "failed"; code: string; message: string };

/** Something a moderator did to this person, shown until dismissed. */
export interface ModerationNotice {
  action: ModerationAction;
  /** The moderator's name, if still in the meeting. */
  by: string;
}

/** A moderator's message to those waiting: plain text, rendered as text. */
export interface LobbyMessage {
  text: string;
  at: number;
}

/** A chat message as received: `text` is plain text and must be rendered as text. */
export interface ChatMessage {
  seq: number;
  from: string;
  name: string;
  text: string;
  at: number;
  own: boolean;
}

/** Something worth telling the person (shown briefly and read out by screen readers). */
export type Notice = {
  kind: "joined" | "left" | "hand" | "server-restarting" | "e2ee-added" | "e2ee-removed";
  name: string;
};

export interface MeetingSnapshot {
  status: MeetingStatus;
  participants: RemoteParticipant[];
  /** What this participant sends; a device is on exactly when its track exists. */
  local: { audio?: MediaStreamTrack; video?: MediaStreamTrack; screen?: MediaStreamTrack };
  /** The last device problem, for the UI to explain. */
  deviceError?: DeviceError;
  devices: DeviceLists;
  /** Chosen devices, remembered in this browser only. */
  choices: DeviceChoices;
  /** This meeting's chat since joining; nothing older exists anywhere. */
  chat: ChatMessage[];
  /** Participant ids with a raised hand, in the order they went up. */
  hands: string[];
  settings: RoomSettings;
  activeSpeaker?: string;
  quality: Record<string, Quality>;
  /** People waiting in the lobby (moderators only). */
  waiting: Waiter[];
  /** Moderators' messages to the lobby, while this person waits there (SPEC LOBBY-4). */
  lobbyMessages: LobbyMessage[];
  moderation?: ModerationNotice;
  /** End-to-end encryption: off, joining the group, on (with the safety number) or failed. */
  e2ee: E2eeStatus;
  /** In an encrypted meeting: the group's members and any mismatch with the participants. */
  encryptionGroup?: EncryptionGroupView;
  /**
   * Set while the connection is being re-established (the place in the
   * meeting is kept): lost on this side (`network`) or the server restarts.
   */
  reconnecting?: "network" | "server";
  /** Others' video is not received (chosen by the person, for a weak connection). */
  audioOnly: boolean;
  /**
   * The server's estimate of this person's downlink is so low that video will
   * stutter: the UI suggests audio-only (until switched on or dismissed).
   */
  suggestAudioOnly: boolean;
}

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorToken?: string;
  password?: string;
  /**
   * The link said the meeting is end-to-end encrypted (its fragment, which
   * the server never sees): a join reply saying otherwise is refused.
   */
  e2ee?: boolean;
}

export interface MeetingEvents extends Record<string, unknown[]> {
  change: [MeetingSnapshot];
  notice: [Notice];
  reaction: [{ from: string; name: string; emoji: Reaction }];
}

/** Why an action was refused, as a code the UI translates. */
export type ActionResult = { ok: true } | { ok: false; code: string };

/** What a client assumes until the server says otherwise: the server's own defaults. */
export const DEFAULT_SETTINGS: RoomSettings = {
  lobby: true,
  chat: true,
  e2ee: true,
  postQuantum: false,
  password: false,
  multipleScreenShares: false,
};
