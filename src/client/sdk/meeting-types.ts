import type { Participant, Reaction, Role, RoomSettings } from "../../protocol/messages";
import type { DeviceError, DeviceLists } from "./devices";
import type { DeviceChoices } from "./preferences";
import type { Quality } from "./speaker";

/** What the Meeting shows its users: snapshots, events and results. */

export interface RemoteParticipant extends Participant {
  /** Their audio and video as received; absent until the first offer maps them. */
  stream?: MediaStream;
  /** Their shared screen, while `screen` is true. */
  screenStream?: MediaStream;
}

/** Where the meeting is; each state carries only what exists in it. */
export type MeetingStatus =
  | { status: "idle" }
  | { status: "joining" }
  | { status: "joined"; self: Participant; role: Role }
  | { status: "left" }
  | { status: "failed"; code: string; message: string };

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
export type Notice = { kind: "joined" | "left" | "hand"; name: string };

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
}

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorToken?: string;
}

export interface MeetingEvents extends Record<string, unknown[]> {
  change: [MeetingSnapshot];
  notice: [Notice];
  reaction: [{ from: string; name: string; emoji: Reaction }];
}

/** Why an action was refused, as a code the UI translates. */
export type ActionResult = { ok: true } | { ok: false; code: string };
