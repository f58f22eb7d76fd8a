/**
 * The error catalogue: every error a client can receive, with a stable code.
 * Codes never change meaning; new failures get new codes. Messages are for
 * humans (developers and logs); the UI translates by code.
 */
export const ERRORS = {
  "bad-json": "The message is not valid JSON.",
  "bad-message": "The message does not match the protocol.",
  "unsafe-message": "The message uses a forbidden key, a duplicate key or is nested too deeply.",
  "too-large": "The message is larger than 64 KiB.",
  "version-mismatch": "The client speaks another protocol version; reload the page.",
  "hello-first": "The first message must be hello.",
  "already-greeted": "hello was already sent on this connection.",
  "not-joined": "Join a room first.",
  "already-joined": "This connection is already in a room.",
  "room-unavailable": "This meeting is not available.",
  "rate-limited": "Too many messages; slow down.",
  forbidden: "Your role in this meeting does not allow that.",
  "password-required": "This meeting needs a password.",
  "wrong-password": "The password is not right.",
  "too-many-attempts": "Too many wrong passwords; wait before trying again.",
  "unknown-participant": "Nobody with that id is in this meeting or its lobby.",
  "media-failed": "The media connection could not be set up.",
  internal: "Something went wrong on the server.",
  "chat-too-long": "The chat message is longer than 2000 characters.",
  "chat-empty": "The chat message is empty.",
  "chat-disabled": "Chat is switched off in this meeting.",
  "screen-share-busy": "Someone else is sharing their screen; only one share at a time.",
  "mls-stale": "Another change to the encryption group came first; apply it and try again.",
  "e2ee-off": "This meeting is not end-to-end encrypted.",
  "mls-malformed":
    "The MLS message does not parse, or has the wrong type, version, cipher suite, group or epoch.",
  "mls-identity": "The MLS credential or sender does not match the participant who sent it.",
  "mls-not-committer":
    "Only the designated committer may add or remove members of the encryption group.",
  "mls-unknown-change":
    "The commit adds a KeyPackage the server does not hold or removes someone who did not leave.",
  "mls-too-large": "The MLS upload is larger than the delivery service accepts.",
  "chat-encrypted-only": "This meeting is end-to-end encrypted: chat must be encrypted too.",
  "shutting-down": "The server is shutting down or restarting; try again in a moment.",
  "store-unavailable":
    "The meeting service cannot reach its database right now; try again in a moment.",
  "cluster-unavailable":
    "The meeting service cannot reach its coordination service right now; try again in a moment.",
  "room-full": "This meeting has reached its limit of participants.",
  "lobby-full": "Too many people are waiting in this meeting's lobby; try again later.",
  busy: "The server is busy; try again in a moment.",
  "too-many-connections":
    "Too many connections from your network address; close other meeting tabs or try again later.",
  "lobby-text-empty": "The message to the lobby is empty.",
  "lobby-text-too-long": "The message to the lobby or the reason is longer than 200 characters.",
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** WebSocket close codes the server uses, with the reason sent along. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  tooLarge: 1009,
  internal: 1011,
  /** The server restarts, the media worker of the room failed, or (in a cluster) the room's node went away: reconnect and resume. */
  serviceRestart: 1012,
  /** The participant resumed on another connection; this one must not reconnect. */
  replaced: 4001,
  /** Too many connections are open from this address (SPEC LIMIT-3); reason `too-many-connections`. */
  tooManyConnections: 4002,
} as const;
