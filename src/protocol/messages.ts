import { z } from "zod";
import type { ErrorCode } from "./errors";

/** Bumped on every incompatible change; `hello` carries it and the server refuses others. */
export const PROTOCOL_VERSION = 1;

/** Frames above this size are refused before parsing (the WebSocket closes with 1009). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
export const MAX_NAME_LENGTH = 64;
/** SDP of a meeting with many participants grows; 60 KiB leaves room in one frame. */
const MAX_SDP_LENGTH = 60_000;

export const RoomId = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, "not a room id");
export type RoomId = z.infer<typeof RoomId>;

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const sdp = z.string().min(1).max(MAX_SDP_LENGTH);

/** A display name: trimmed, no control characters, shown as text everywhere. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_LENGTH)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "control characters are not allowed");

export const MediaState = z.strictObject({ audio: z.boolean(), video: z.boolean() });
export type MediaState = z.infer<typeof MediaState>;

export const Participant = z.strictObject({
  id: z.string(),
  name: z.string(),
  media: MediaState,
});
export type Participant = z.infer<typeof Participant>;

/** What a subscriber needs to map a downstream m-line (by `mid`) to a participant. */
export const TrackInfo = z.strictObject({
  mid: z.string(),
  participantId: z.string(),
  kind: z.enum(["audio", "video"]),
});
export type TrackInfo = z.infer<typeof TrackInfo>;

// ---------------------------------------------------------------- client -> server

/** Every client message is a request: it carries an `id` that the reply echoes. */
export const ClientMessage = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("hello"), id: requestId, protocolVersion: z.number().int() }),
  z.strictObject({
    type: z.literal("join"),
    id: requestId,
    roomId: RoomId,
    name: DisplayName,
    /** The secret from the moderator link, if the person holds one. */
    moderatorToken: z.string().max(128).optional(),
  }),
  /** The client's offer for its upstream peer connection (what it sends). */
  z.strictObject({ type: z.literal("publish"), id: requestId, sdp }),
  /** The client's answer to a `subscriber-offer` (what it receives). */
  z.strictObject({ type: z.literal("subscriber-answer"), id: requestId, sdp }),
  z.strictObject({ type: z.literal("media-state"), id: requestId, media: MediaState }),
  z.strictObject({ type: z.literal("leave"), id: requestId }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage["type"];
export type Request<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

/** The result each request type gets in its `ok` reply. */
export interface Results {
  hello: { protocolVersion: number };
  join: { self: Participant; participants: Participant[]; role: Role };
  publish: { sdp: string };
  "subscriber-answer": Record<string, never>;
  "media-state": Record<string, never>;
  leave: Record<string, never>;
}

export type Role = "moderator" | "participant";

// ---------------------------------------------------------------- server -> client

export type ServerEvent =
  | { type: "participant-joined"; participant: Participant }
  | { type: "participant-updated"; participant: Participant }
  | { type: "participant-left"; participantId: string }
  /** The server (re)negotiates the downstream connection; answer with `subscriber-answer`. */
  | { type: "subscriber-offer"; sdp: string; tracks: TrackInfo[] };

export type Reply<T extends ClientMessageType = ClientMessageType> =
  | { type: "ok"; id: number; result: Results[T] }
  | { type: "error"; id: number | null; code: ErrorCode; message: string };

export type ServerMessage = ServerEvent | Reply;
