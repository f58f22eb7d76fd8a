/**
 * A fix to werift 0.24.4's SDP handling without which Firefox does not
 * publish; once per process (the engine installs it on start).
 *
 * `bundle-only` media sections. With `bundlePolicy: "max-bundle"` Firefox's
 * first offer has `m=video 0 … a=bundle-only` for every section after the
 * first (RFC 8843 section 6: port 0 plus `bundle-only` means "only on the
 * bundle's transport", not "rejected"). werift signals an incoming track only
 * for a non-zero port, so Firefox's camera and screen share were never
 * forwarded. A section with port 0, `a=bundle-only` and its mid in the BUNDLE
 * group is treated as having the bundle's port while werift applies it; a
 * section rejected with port 0 alone stays rejected.
 *
 * (Firefox's other need, a session-level `a=ice-lite`, is met in the browser:
 * src/client/sdk/sdp.ts, because Chromium connects seconds slower with it.)
 *
 * Like ./fast/install.ts it patches werift's prototypes and refuses any other
 * werift version or shape: it throws, and the engine does not start (./index.ts).
 */
import { type MediaDescription, SessionDescription, TransceiverManager } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./guard";

/** Any port but 0: werift only compares it with 0. 9 is the discard port SDP uses for "see ICE". */
const BUNDLE_PORT = 9;

/** Media sections of parsed remote descriptions that are bundle-only (port 0, yet not rejected). */
const bundleOnly = new WeakSet<MediaDescription>();

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

/** Throws, naming the reason, on another werift version or shape; returns werift's originals. */
export function checkSdpInterop(version = weriftVersion()) {
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the SDP fix for Firefox (src/server/media/werift/patches/sdp-interop.ts) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: check whether the new version signals bundle-only sections, and update or remove the fix`,
    );
  const parse = method(SessionDescription, "parse", ["groupLines", "BUNDLE"]) as unknown as (
    sdp: string,
  ) => SessionDescription;
  const setRemoteRtp = method(TransceiverManager.prototype, "setRemoteRTP", [
    "remoteMedia.port !== 0",
    "onTrack.execute",
  ]);
  return { parse, setRemoteRtp };
}

/** Patches werift; idempotent. Throws (naming the reason) on another werift version or shape. */
export function installSdpInterop(): void {
  if (installed) return;
  const { parse, setRemoteRtp } = checkSdpInterop();

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
