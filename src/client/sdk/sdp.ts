/**
 * The SFU's SDP as each browser needs to read it.
 *
 * werift writes `a=ice-lite` only inside each media section. RFC 8839
 * section 5.3 puts it at session level, and Firefox reads it only there:
 * otherwise it takes the SFU for a full agent, answers in the controlled role,
 * and werift (a lite agent is always controlled) replies 487 Role Conflict to
 * every check, which Firefox never recovers from. Chromium reads the
 * media-level line, but given a session-level one it takes seconds longer to
 * connect (measured: a restarted server's media back after ~7 s instead of
 * ~1.5 s), so the line is added in Firefox only, in the browser, where the
 * browser is known.
 */

/** `sdp` with `a=ice-lite` added at session level (after `t=`) when a media section has it. */
export function withSessionIceLite(sdp: string): string {
  const firstMedia = sdp.search(/\r?\nm=/);
  const session = firstMedia < 0 ? sdp : sdp.slice(0, firstMedia);
  if (/^a=ice-lite\r?$/m.test(session) || !/^a=ice-lite\r?$/m.test(sdp)) return sdp;
  return sdp.replace(/^(t=[^\r\n]*\r?\n)/m, "$1a=ice-lite\r\n");
}

/** Gecko is the one engine that reads ICE-lite at session level only. */
const needsSessionIceLite =
  typeof navigator !== "undefined" && /\bGecko\/\d/.test(navigator.userAgent);

/** The SFU's offer or answer as this browser must be given it. */
export function forThisBrowser(sdp: string): string {
  return needsSessionIceLite ? withSessionIceLite(sdp) : sdp;
}
