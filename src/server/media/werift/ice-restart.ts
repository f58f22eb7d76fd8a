/**
 * Makes an ICE restart work in werift 0.24.4, once per process (the engine
 * installs it on start; the headless test client too).
 *
 * What werift does wrong. An ICE restart (a new ufrag and password in an
 * offer, from either side) keeps the DTLS association and restarts only ICE:
 * `RTCIceTransport.restart()` calls `Connection.restart()`, which forgets the
 * selected pair (`nominated = undefined`), the check list and the early checks
 * and sets `earlyChecksDone = false`. Only `Connection.connect()` would start
 * ICE again (a full agent checks pairs; an ICE-lite agent turns the checks the
 * browser sent meanwhile, queued as "early checks", into its selected pair).
 * But `RTCPeerConnection.connect()`, run after every answer, skips a
 * transport whose DTLS is already connected, and so never calls
 * `iceTransport.start()` again. The restarted ICE agent then answers the
 * browser's checks (the browser reports `connected`: its checks succeed) yet
 * queues them as early checks for ever, selects no pair, and `Connection.send`
 * drops every outgoing packet (`canSendApplicationData()` needs a selected
 * pair): no media, no RTCP from the SFU, on the same connection the browser
 * thinks is up. Upstream packets still arrive (werift takes data from any
 * address), which is why it looked as if werift stopped choosing pairs
 * "after the first restart". A werift full agent (the test client) is stuck
 * the same way: it never sends a check after a restart.
 *
 * The fix: before werift's own `connect()`, start ICE on every transport that
 * has DTLS up but no selected pair and no start in progress: exactly the
 * state an ICE restart leaves behind. The first connection is untouched (its
 * DTLS is not up yet; werift starts ICE itself), and so is any renegotiation
 * without a restart (a pair stays selected).
 *
 * Like ./fast/install.ts it patches werift's prototype and refuses any other
 * werift version or shape: it throws, and the engine does not start.
 */
import { Connection, RTCIceTransport, RTCPeerConnection } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./fast/install";

/** What the fix reads of werift's private transport state. */
export interface RestartableDtls {
  state: string;
  iceTransport: {
    state: string;
    /** Set while `start()` runs. */
    waitStart?: unknown;
    connection: { nominated?: unknown; remoteUsername: string; remotePassword: string };
    start(): Promise<void>;
  };
}

/** A DTLS transport whose ICE was restarted and is not running: ICE must be started again. */
export function needsIceStart(dtls: RestartableDtls): boolean {
  const ice = dtls.iceTransport;
  return (
    dtls.state === "connected" &&
    ice.state !== "closed" &&
    ice.state !== "connected" &&
    ice.waitStart === undefined &&
    ice.connection.nominated === undefined &&
    ice.connection.remoteUsername !== "" &&
    ice.connection.remotePassword !== ""
  );
}

let installed = false;

/** Patches werift; idempotent. Throws (naming the reason) on another werift version or shape. */
export function installIceRestart(): void {
  if (installed) return;
  const version = weriftVersion();
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the ICE restart fix (src/server/media/werift/ice-restart.ts) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: check whether the new version still skips ICE after a restart, and update or remove the fix`,
    );
  const proto = RTCPeerConnection.prototype as unknown as Record<string, unknown>;
  // The shape guard: the skip this works around, and the state it reads.
  const connect = method(proto, "connect", [
    "dtlsTransports",
    "checkDtlsConnected",
    "iceTransport.start",
  ]);
  method(RTCIceTransport.prototype, "start", ["waitStart", "connection.connect"]);
  method(RTCIceTransport.prototype, "restart", ["connection.restart", "waitStart"]);
  method(Connection.prototype, "restart", ["nominated", "earlyChecksDone", "checkListState"]);
  method(Connection.prototype, "connect", ["earlyChecks", "nominated", "iceLite"]);

  proto.connect = function (this: { dtlsTransports: RestartableDtls[] }) {
    for (const dtls of this.dtlsTransports) {
      // A restarted ICE that fails turns the transport "failed", as werift's own start would.
      if (needsIceStart(dtls)) dtls.iceTransport.start().catch(() => undefined);
    }
    return connect.call(this);
  };
  installed = true;
}
