/**
 * Error codes of the REST API (docs/API.md), with their HTTP status and
 * message. Like the signalling catalogue (errors.ts), codes are stable and
 * the UI translates by code; the message is for developers and scripts.
 */
export const HTTP_ERRORS = {
  "bad-request": { status: 400, message: "The request body does not match what this route takes." },
  "json-required": {
    status: 415,
    message: "State-changing requests must send Content-Type: application/json.",
  },
  "cross-origin": { status: 403, message: "The request did not come from this site." },
  "login-failed": { status: 401, message: "Wrong username or password." },
  "login-throttled": { status: 429, message: "Too many failed logins; wait and try again." },
  "not-signed-in": { status: 401, message: "Sign in first." },
  "not-admin": { status: 403, message: "Only administrators (PLENUM_ADMINS) may do this." },
  "room-not-found": { status: 404, message: "You have no room with this id." },
  "too-many-rooms": {
    status: 429,
    message: "Too many new rooms from here, or on this server, in the last hour; try again later.",
  },
  "organisers-only": {
    status: 403,
    message: "On this server only signed-in organisers create rooms (PLENUM_ROOM_CREATION).",
  },
  busy: { status: 503, message: "The server is busy; try again in a moment." },
  "oidc-disabled": { status: 404, message: "Sign-in through an organisation is not configured." },
  "oidc-unavailable": {
    status: 502,
    message: "The organisation's sign-in service did not answer.",
  },
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;

/** The body of every error answer. */
export interface HttpErrorBody {
  code: HttpErrorCode;
  message: string;
}
