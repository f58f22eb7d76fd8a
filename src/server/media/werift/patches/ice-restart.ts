/**
 * Makes an ICE restart work in werift 0.24.4, once per process (the engine
 * installs it on start; the headless test client too).
 *
 * What werift does wrong. An ICE restart (a new ufrag and password in an
 * offer, from either side) keeps the DTLS association and restarts only ICE:
 * `RTCIceTransport.restart()` calls `Connection.restart()`, which forgets the
 * selected pair (`nominated`), the check list, the remote candidates and the
 * early checks, and sets `earlyChecksDone = false`. Only `Connection.connect()`
 * starts ICE again: a full agent checks its pairs; an ICE-lite agent (the SFU)
 * turns the checks that arrived meanwhile, queued as "early checks", into
 * pairs and takes the nominated one. But `RTCPeerConnection.connect()`, run
 * after every answer, skips a transport whose DTLS is already connected, and
 * so never calls `iceTransport.start()` after a restart.
 *
 * The ICE-lite SFU then still answers the browser's checks, so the browser's
 * side succeeds and it reports `connected`. What werift does with a check
 * depends on its check list: only the remote description's candidates fill it
 * (ICE-lite forms no pairs of its own). With candidates it could pair, each
 * check is handled and the nominated pair is taken: the restart works. With
 * none, every check is queued as an early check that nothing will ever
 * process. And none is what the SFU gets: Chromium's ICE restart offers and
 * answers, as our client sends them, carry no candidates at all (observed on
 * the test network of test/e2e/network.test.ts; the SFU learns the browser's
 * address from its checks), and host candidates that are mDNS names (a page
 * without camera permission) could not be paired either. So no pair is
 * selected, `Connection.send` drops every outgoing packet
 * (`canSendApplicationData()` needs one), and the subscriber sees no media and
 * gets no RTCP on a connection its browser calls connected. A werift full
 * agent (the test client) is stuck whatever the candidates: it never sends a
 * check after a restart.
 *
 * The fix: before werift's own `connect()`, start ICE on every transport left
 * in exactly the state a restart leaves behind: DTLS up, no pair selected,
 * early checks not yet processed, no start under way. The first connection
 * (DTLS not up yet: werift starts ICE itself) and renegotiations without a
 * restart (a pair stays selected) are untouched.
 *
 * Left as it is: werift takes a nominated pair only if its remote candidate,
 * when the SDP gave one, has a `generation` equal to werift's own restart
 * count. Browsers number their candidate generations by their own restarts,
 * so the two agree as long as every restart is negotiated on both sides (as
 * ours are); a candidate learnt from a check has no generation at all.
 *
 * Like ./fast/install.ts it patches werift's prototype and refuses any other
 * werift version or shape: it throws, and the engine does not start (./index.ts).
 */
import { Connection, RTCIceTransport, RTCPeerConnection } from "werift";
import { method, TARGET_WERIFT_VERSION, weriftVersion } from "./guard";

/** What the fix reads of werift's private transport state. */
export interface RestartableDtls {
  state: string;
  iceTransport: {
    state: string;
    /** Set while `start()` runs. */
    waitStart?: unknown;
    connection: {
      nominated?: unknown;
      /** False only between `Connection.restart()` and `Connection.connect()`. */
      earlyChecksDone: boolean;
      remoteUsername: string;
      remotePassword: string;
    };
    start(): Promise<void>;
  };
}

/**
 * A DTLS transport whose ICE was restarted and is not running: ICE must be
 * started again. Not a "renomination" (werift's name for a new remote ufrag
 * while the remote description has an inactive m-line: it only forgets the
 * selected pair, and its ICE-lite agent takes the next nominated pair by itself).
 */
export function needsIceStart(dtls: RestartableDtls): boolean {
  const ice = dtls.iceTransport;
  return (
    dtls.state === "connected" &&
    ice.state !== "closed" &&
    ice.state !== "connected" &&
    ice.waitStart === undefined &&
    ice.connection.nominated === undefined &&
    !ice.connection.earlyChecksDone &&
    ice.connection.remoteUsername !== "" &&
    ice.connection.remotePassword !== ""
  );
}

let installed = false;

/** Throws, naming the reason, on another werift version or shape; returns werift's `connect`. */
export function checkIceRestart(version = weriftVersion()) {
  if (version !== TARGET_WERIFT_VERSION)
    throw new Error(
      `the ICE restart fix (src/server/media/werift/patches/ice-restart.ts) targets werift ${TARGET_WERIFT_VERSION}, found ${version}: check whether the new version still skips ICE after a restart, and update or remove the fix`,
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
  return connect;
}

/** Patches werift; idempotent. Throws (naming the reason) on another werift version or shape. */
export function installIceRestart(): void {
  if (installed) return;
  const connect = checkIceRestart();
  (RTCPeerConnection.prototype as unknown as Record<string, unknown>).connect = function (this: {
    dtlsTransports: RestartableDtls[];
  }) {
    for (const dtls of this.dtlsTransports) {
      // A restarted ICE that fails turns the transport "failed", as werift's own start would.
      if (needsIceStart(dtls)) dtls.iceTransport.start().catch(() => undefined);
    }
    return connect.call(this);
  };
  installed = true;
}
