/**
 * Two fixes to werift 0.24.4's SDP handling without which Firefox neither
 * connects nor publishes; once per process (the engine installs them on start).
 *
 * 1. Session-level `a=ice-lite`. werift writes `a=ice-lite` only inside each
 *    media section. RFC 8839 section 5.3 puts it at session level, and
 *    Firefox reads it only there: it then takes the SFU for a full agent,
 *    answers in the controlled role, and werift (a lite agent is always
 *    controlled) replies 487 Role Conflict to every check, which Firefox never
 *    recovers from. (Chromium reads either place.) We add the session-level
 *    line whenever werift wrote the media-level one.
 *
 * 2. `bundle-only` media sections. With `bundlePolicy: "max-bundle"` Firefox's
 *    first offer has `m=video 0 … a=bundle-only` for every section after the
 *    first (RFC 8843 section 6: port 0 plus `bundle-only` means "only on the
 *    bundle's transport", not "rejected"). werift signals an incoming track
 *    only for a non-zero port, so Firefox's camera and screen share were never
 *    forwarded. A section with port 0, `a=bundle-only` and its mid in the
 *    BUNDLE group is treated as having the bundle's port while werift applies
 *    it; a section rejected with port 0 alone stays rejected.
 *
 * Like ./fast/install.ts it patches werift's prototypes and refuses any other
 * werift version or shape: it throws, and the engine does not start.
 */
import { type MediaDescription, SessionDescription, TransceiverManager } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./fast/install";

/** Any port but 0: werift only compares it with 0. 9 is the discard port SDP uses for "see ICE". */
const BUNDLE_PORT = 9;

/** Media sections of parsed remote descriptions that are bundle-only (port 0, yet not rejected). */
const bundleOnly = new WeakSet<MediaDescription>();

/** The session-level lines of `sdp` with `a=ice-lite` added after `t=`, if any media section has it. */
export function withSessionIceLite(sdp: string): string {
  const firstMedia = sdp.search(/\r?\nm=/);
  const session = firstMedia < 0 ? sdp : sdp.slice(0, firstMedia);
  if (/^a=ice-lite\r?$/m.test(session) || !/^a=ice-lite\r?$/m.test(sdp)) return sdp;
  return sdp.replace(/^(t=[^\r\n]*\r?\n)/m, "$1a=ice-lite\r\n");
}

/** Per m-line of `sdp`, in order: whether it is bundle-only (port 0, `a=bundle-only`, mid in BUNDLE). */
export function bundleOnlySections(sdp: string): boolean[] {
  const [session = "", ...sections] = sdp.split(/\r?\n(?=m=)/);
  const bundle = /^a=group:BUNDLE(.*)$/m.exec(session)?.[1]?.trim().split(/\s+/) ?? [];
  return sections.map((section) => {
    const mid = /^a=mid:(\S+)/m.exec(section)?.[1];
    return (
      /^m=\S+ 0 /.test(section) &&
      /^a=bundle-only\r?$/m.test(section) &&
      mid !== undefined &&
      bundle.includes(mid)
    );
  });
}

let installed = false;

/** Patches werift; idempotent. Throws (naming the reason) on another werift version or shape. */
export function installSdpInterop(): void {
  if (installed) return;
  const version = weriftVersion();
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the SDP fixes for Firefox (src/server/media/werift/sdp-interop.ts) target werift ${TARGET_WERIFT_VERSION}, found ${version}: check whether the new version writes a session-level a=ice-lite and signals bundle-only sections, and update or remove the fixes`,
    );
  // The shape guard, all checks before any patch.
  const described = Object.getOwnPropertyDescriptor(SessionDescription.prototype, "string");
  const serialise = described?.get;
  if (!serialise) throw new Error("werift shape changed: SessionDescription.string is no getter");
  const source = String(serialise);
  if (!source.includes("msidSemantic") || !source.includes("media.map"))
    throw new Error("werift shape changed: SessionDescription.string writes other lines");
  if (source.includes("ice-lite"))
    throw new Error("werift now writes a session-level a=ice-lite: remove fix 1");
  const parse = method(SessionDescription, "parse", ["groupLines", "BUNDLE"]) as unknown as (
    sdp: string,
  ) => SessionDescription;
  const setRemoteRtp = method(TransceiverManager.prototype, "setRemoteRTP", [
    "remoteMedia.port !== 0",
    "onTrack.execute",
  ]);

  Object.defineProperty(SessionDescription.prototype, "string", {
    ...described,
    get(this: SessionDescription) {
      return withSessionIceLite(serialise.call(this) as string);
    },
  });
  SessionDescription.parse = (sdp: string) => {
    const session = parse.call(SessionDescription, sdp);
    const flags = bundleOnlySections(sdp);
    session.media.forEach((media, i) => {
      if (flags[i]) bundleOnly.add(media);
    });
    return session;
  };
  (TransceiverManager.prototype as unknown as Record<string, unknown>).setRemoteRTP = function (
    this: unknown,
    transceiver: unknown,
    remoteMedia: MediaDescription,
    ...rest: unknown[]
  ) {
    if (remoteMedia.port !== 0 || !bundleOnly.has(remoteMedia))
      return setRemoteRtp.call(this, ...([transceiver, remoteMedia, ...rest] as never[]));
    remoteMedia.port = BUNDLE_PORT;
    try {
      return setRemoteRtp.call(this, ...([transceiver, remoteMedia, ...rest] as never[]));
    } finally {
      remoteMedia.port = 0;
    }
  };
  installed = true;
}
