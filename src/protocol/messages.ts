import { z } from "zod";
import { NAME_PROBLEMS, nameProblem } from "./display-name";
import type { ErrorCode } from "./errors";
import { type Denial, LobbyText, type Waiter } from "./lobby";

export type { Denial, Waiter, WaiterFlag } from "./lobby";

/** Bumped on every incompatible change; `hello` carries it and the server refuses others. */
export const PROTOCOL_VERSION = 1;

/** Frames above this size are refused before parsing (the WebSocket closes with 1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_NAME_LENGTH = 64;
/** SDP of a meeting with many participants grows; 60 KiB leaves room in one frame. */
const MAX_SDP_LENGTH = 60_000;

export const RoomId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, "not a room id");
export type RoomId = z.infer<typeof RoomId>;

/** A chat message's limit in characters (code points) after trimming; `chat-too-long` beyond. */
export const MAX_CHAT_LENGTH = 2000;
/** Longer texts still parse, so that the client gets `chat-too-long` and not `bad-message`. */
const MAX_CHAT_WIRE = 4 * MAX_CHAT_LENGTH;

/** The fixed set of reactions: no free text, so nothing can be smuggled through them. */
export const REACTIONS = ["👍", "👏", "😂", "❤️", "🎉", "😮"] as const;
export const Reaction = z.enum(REACTIONS);
export type Reaction = z.infer<typeof Reaction>;

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/**
 * An MLS message (RFC 9420, TLS-encoded) in base64. The server relays it and
 * cannot read it; a Welcome carrying the ratchet tree of a large meeting is the
 * biggest, hence the generous bound (the frame limit applies as well).
 */
const mlsBytes = z
  .string()
  .min(4)
  .max(60_000)
  .regex(/^[A-Za-z0-9+/]+=*$/, "not base64");
/** Participant ids a commit adds or removes (the server's bookkeeping of the MLS group). */
const memberIds = z.array(z.string().max(64)).max(200);
const sdp = z.string().min(1).max(MAX_SDP_LENGTH);

/** A display name: trimmed, nothing invisible or misleading (SPEC NAME-1, NAME-2), shown as text everywhere. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .superRefine((s, ctx) => {
    const problem = nameProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: NAME_PROBLEMS[problem] });
  });

export const MediaState = z.strictObject({ audio: z.boolean(), video: z.boolean() });
export type MediaState = z.infer<typeof MediaState>;

export const ROLES = ["moderator", "participant", "guest"] as const;
/** Moderators run the meeting; participants are signed in; guests came by link. */
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** What a participant's upstream m-line carries; a person may send one of each. */
export const MediaSource = z.enum(["microphone", "camera", "screen"]);
export type MediaSource = z.infer<typeof MediaSource>;

export const Participant = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: Role,
  media: MediaState,
  /** Whether they share their screen (the server allowed it). */
  screen: z.boolean(),
  /** Present while their connection is gone and the server keeps their place. */
  reconnecting: z.literal(true).optional(),
});
export type Participant = z.infer<typeof Participant>;

/** What a subscriber needs to map a downstream m-line (by `mid`) to a participant. */
export const TrackInfo = z.strictObject({
  mid: z.string(),
  participantId: z.string(),
  kind: z.enum(["audio", "video"]),
  source: MediaSource,
});
export type TrackInfo = z.infer<typeof TrackInfo>;

/** Most tiles a `video-preferences` list may name (a camera and a screen per person). */
export const MAX_VIDEO_TILES = 400;

/**
 * One tile as the client shows it: its size in device pixels (CSS size
 * times devicePixelRatio), or hidden (scrolled out, minimised, audio-only).
 */
export const VideoTile = z.strictObject({
  participantId: z.string().max(64),
  source: z.enum(["camera", "screen"]),
  width: z.number().int().min(0).max(16384),
  height: z.number().int().min(0).max(16384),
  hidden: z.boolean(),
});
export type VideoTile = z.infer<typeof VideoTile>;

// ---------------------------------------------------------------- client -> server

/** Every client message is a request: it carries an `id` that the reply echoes. */
export const ClientMessage = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("hello"), id: requestId, protocolVersion: z.number().int() }),
  z.strictObject({
    type: z.literal("join"),
    id: requestId,
    /** Any string: a malformed id is answered like an unknown room, not as a schema error. */
    roomId: z.string().max(128),
    name: DisplayName,
    /** The secret from the moderator link, if the person holds one. */
    moderatorToken: z.string().max(128).optional(),
    /** The room password, when the room has one. */
    password: z.string().max(256).optional(),
    /** The resume ticket of an earlier connection: takes the same place back (docs/PROTOCOL.md). */
    resume: z.string().max(1024).optional(),
  }),
  /** Liveness: the client's check that its connection still carries replies. */
  z.strictObject({ type: z.literal("ping"), id: requestId }),
  /** The media path was lost: the server replaces this participant's media connections. */
  z.strictObject({ type: z.literal("media-restart"), id: requestId }),
  /**
   * The downstream connection lost its path: the server offers it again with
   * new ICE credentials (an ICE restart), in a `subscriber-offer`.
   */
  z.strictObject({ type: z.literal("subscriber-ice-restart"), id: requestId }),
  /** The client's offer for its upstream peer connection (what it sends). */
  z.strictObject({
    type: z.literal("publish"),
    id: requestId,
    sdp,
    /**
     * Which m-line carries which source. Without it the first audio m-line is
     * the microphone and the first video m-line the camera (no screen).
     */
    tracks: z
      .array(z.strictObject({ mid: z.string().min(1).max(32), source: MediaSource }))
      .max(3)
      .optional(),
  }),
  /**
   * How this client shows others' video, so the server forwards the simulcast
   * layer that fits each tile and nothing for hidden ones. Replaces the last
   * list; a source not in it may get any layer.
   */
  z.strictObject({
    type: z.literal("video-preferences"),
    id: requestId,
    tiles: z.array(VideoTile).max(MAX_VIDEO_TILES),
  }),
  /** The client's answer to a `subscriber-offer` (what it receives). */
  z.strictObject({ type: z.literal("subscriber-answer"), id: requestId, sdp }),
  z.strictObject({ type: z.literal("media-state"), id: requestId, media: MediaState }),
  z.strictObject({ type: z.literal("leave"), id: requestId }),
  // Moderation: each needs a permission of the sender's role (docs/SPEC.md).
  z.strictObject({ type: z.literal("admit"), id: requestId, waiterId: z.string().max(64) }),
  z.strictObject({ type: z.literal("admit-all"), id: requestId }),
  z.strictObject({
    type: z.literal("deny"),
    id: requestId,
    waiterId: z.string().max(64),
    /** Shown to the person turned away (SPEC LOBBY-5). */
    reason: LobbyText.optional(),
  }),
  /** A short message to everyone waiting in the lobby (SPEC LOBBY-4). */
  z.strictObject({ type: z.literal("lobby-message"), id: requestId, text: LobbyText }),
  z.strictObject({ type: z.literal("lock"), id: requestId, locked: z.boolean() }),
  z.strictObject({
    type: z.literal("kick"),
    id: requestId,
    participantId: z.string().max(64),
    /** How long they stay out: the rest of the meeting (default), a day or a week (SPEC KICK-1). */
    ban: z.enum(["meeting", "day", "week"]).optional(),
  }),
  z.strictObject({ type: z.literal("mute"), id: requestId, participantId: z.string().max(64) }),
  z.strictObject({ type: z.literal("mute-all"), id: requestId }),
  z.strictObject({
    type: z.literal("request-unmute"),
    id: requestId,
    participantId: z.string().max(64),
  }),
  z.strictObject({
    type: z.literal("set-role"),
    id: requestId,
    participantId: z.string().max(64),
    role: z.enum(["moderator", "participant"]),
  }),
  z.strictObject({
    type: z.literal("update-settings"),
    id: requestId,
    settings: z.strictObject({
      lobby: z.boolean().optional(),
      chat: z.boolean().optional(),
      multipleScreenShares: z.boolean().optional(),
    }),
  }),
  z.strictObject({ type: z.literal("end-meeting"), id: requestId }),
  z.strictObject({
    type: z.literal("set-password"),
    id: requestId,
    /** null removes the password. */
    password: z.string().min(1).max(256).nullable(),
  }),
  /** A chat message to everyone in the room. Relayed, never stored. */
  z.strictObject({ type: z.literal("chat"), id: requestId, text: z.string().max(MAX_CHAT_WIRE) }),
  z.strictObject({ type: z.literal("hand"), id: requestId, raised: z.boolean() }),
  z.strictObject({ type: z.literal("reaction"), id: requestId, emoji: Reaction }),
  /** Starts or stops forwarding this participant's screen m-line. */
  z.strictObject({ type: z.literal("screen-share"), id: requestId, on: z.boolean() }),
  // End-to-end encryption (docs/E2EE.md): the server is MLS's delivery service only.
  /** This member's MLS KeyPackage, so that the committer can add them. */
  z.strictObject({ type: z.literal("mls-key-package"), id: requestId, keyPackage: mlsBytes }),
  /**
   * A commit for `epoch` (the sender's current epoch), with the Welcome for the
   * people it adds. One commit per epoch wins; a later one gets `mls-stale`.
   */
  z.strictObject({
    type: z.literal("mls-commit"),
    id: requestId,
    epoch: z.number().int().nonnegative(),
    commit: mlsBytes,
    welcome: mlsBytes.optional(),
    added: memberIds,
    removed: memberIds,
  }),
  /**
   * A part of a commit or Welcome too large for one frame: the server appends
   * it to this member's upload; the `mls-commit` that follows carries the last part.
   */
  z.strictObject({
    type: z.literal("mls-upload"),
    id: requestId,
    field: z.enum(["commit", "welcome"]),
    data: mlsBytes,
  }),
  /** A chat message as an MLS application message: the server sees ciphertext only. */
  z.strictObject({ type: z.literal("mls-chat"), id: requestId, message: mlsBytes }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage["type"];
export type Request<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

/** Room-wide settings everyone in the meeting sees. */
export interface RoomSettings {
  /** New people wait in the lobby until a moderator admits them. */
  lobby: boolean;
  chat: boolean;
  e2ee: boolean;
  /** The MLS ciphersuite of an encrypted meeting: the X-Wing hybrid instead of the default. */
  postQuantum: boolean;
  /** Whether a password is needed to enter (never the password itself). */
  password: boolean;
  /** Whether several people may share their screens at once (default: one at a time). */
  multipleScreenShares: boolean;
}

/**
 * A TURN server with time-limited credentials, as RTCIceServer takes it. The
 * operator's own coturn only: with none configured the list is empty.
 */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** What a person learns on entering the meeting (not before: nothing reaches the lobby). */
export interface Joined {
  /** For both peer connections; empty unless the operator runs TURN. */
  iceServers: IceServer[];
  self: Participant;
  participants: Participant[];
  /** Raised hands, in the order they went up. */
  hands: string[];
  locked: boolean;
  settings: RoomSettings;
  /** The resume ticket: a later connection presents it in `join` to take this place back. */
  resume?: string;
  /**
   * Set when a `join` with a ticket took a place back: `kept` when the server
   * kept it (the encryption group goes on), `restored` after a server restart
   * (the meeting's state starts afresh).
   */
  resumed?: "kept" | "restored";
}

type Empty = Record<string, never>;

/** The result each request type gets in its `ok` reply. */
export interface Results {
  hello: { protocolVersion: number };
  /** Either in the meeting, or waiting in the lobby until `admitted` or `denied`. */
  join: ({ status: "joined" } & Joined) | { status: "lobby" };
  /** `resume`: a fresh ticket, now and then, so the one held never runs out. */
  ping: { resume?: string };
  "media-restart": Empty;
  "subscriber-ice-restart": Empty;
  publish: { sdp: string };
  "subscriber-answer": Empty;
  "video-preferences": Empty;
  "media-state": Empty;
  leave: Empty;
  admit: Empty;
  "admit-all": Empty;
  deny: Empty;
  /** How many people waiting received it. */
  "lobby-message": { reached: number };
  lock: Empty;
  kick: Empty;
  mute: Empty;
  "mute-all": Empty;
  "request-unmute": Empty;
  "set-role": Empty;
  "update-settings": Empty;
  "end-meeting": Empty;
  "set-password": Empty;
  chat: Empty;
  hand: Empty;
  reaction: Empty;
  "screen-share": Empty;
  /** `create`: nobody is in the MLS group yet, so this member creates it (epoch 0). */
  "mls-key-package": { create: boolean };
  "mls-commit": Empty;
  "mls-upload": Empty;
  "mls-chat": Empty;
}

/** What a moderator did to this participant; each such action is shown to them. */
export type ModerationAction = "muted" | "unmute-requested" | "promoted" | "demoted";

// ---------------------------------------------------------------- server -> client

export type ServerEvent =
  | { type: "participant-joined"; participant: Participant }
  | { type: "participant-updated"; participant: Participant }
  | { type: "participant-left"; participantId: string }
  /** Someone's connection is gone; their place is kept while they reconnect. */
  | { type: "participant-reconnecting"; participantId: string }
  /** Someone who was reconnecting is back (their media is negotiated afresh). */
  | { type: "participant-reconnected"; participantId: string }
  /** The server is shutting down or restarting: the connection closes (1012), reconnect after. */
  | { type: "server-shutdown" }
  /** The server (re)negotiates the downstream connection; answer with `subscriber-answer`. */
  | { type: "subscriber-offer"; sdp: string; tracks: TrackInfo[] }
  /**
   * The server's estimate of this client's downlink in bits per second, sent
   * when it changes markedly; a client may suggest audio-only when it is low.
   */
  | { type: "downlink"; bitrate: number }
  /** To moderators only: who is waiting in the lobby, in order of arrival. */
  | { type: "lobby-updated"; waiting: Waiter[] }
  /** To a waiting person: a moderator let them in. */
  | ({ type: "admitted" } & Joined)
  /** To a waiting person: a moderator turned them away, perhaps saying why. */
  | ({ type: "denied" } & Denial)
  /** To everyone waiting: a moderator's message; `at` is the server's time in ms since epoch. */
  | { type: "lobby-message"; text: string; at: number }
  /** To a participant: they are out of the meeting, and why. */
  | { type: "removed"; reason: "kicked" | "ended" }
  | { type: "moderated"; action: ModerationAction; by: string }
  | { type: "room-updated"; locked: boolean; settings: RoomSettings }
  /** A chat message; `from` is the sender's id, `name` their name when sent, `at` ms since epoch. */
  | { type: "chat"; from: string; name: string; text: string; at: number }
  /** The raised hands changed: participant ids in the order the hands went up. */
  | { type: "hands"; queue: string[] }
  | { type: "reaction"; from: string; emoji: Reaction }
  /**
   * To the member whose turn it is to commit (the longest present): the group
   * at `epoch` needs these people added (with their KeyPackages) and removed.
   */
  | {
      type: "mls-pending";
      epoch: number;
      add: { participantId: string; keyPackage: string }[];
      remove: string[];
    }
  /** To the group's other members: a commit the server accepted; it leads to `epoch`. */
  | { type: "mls-commit"; from: string; epoch: number; commit: string }
  /** To a person just added: the Welcome into the group. */
  | { type: "mls-welcome"; welcome: string }
  /** Everyone in the group left while this person waited to be added: they start it anew. */
  | { type: "mls-create" }
  /** An encrypted chat message; `at` is the server's time in ms since epoch. */
  | { type: "mls-chat"; from: string; message: string; at: number };

export type Reply<T extends ClientMessageType = ClientMessageType> =
  | { type: "ok"; id: number; result: Results[T] }
  | { type: "error"; id: number | null; code: ErrorCode; message: string };

export type ServerMessage = ServerEvent | Reply;
