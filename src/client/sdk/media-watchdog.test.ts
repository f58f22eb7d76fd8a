import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import {
  CONNECT_DEADLINE_MS,
  DISCONNECTED_RESTART_MS,
  ICE_RESTART_GRACE_MS,
  MediaWatchdog,
} from "./media-watchdog";

/**
 * The watchdog's decisions, on a stand-in with the one thing it reads of a
 * peer connection (its state and the change event): RTCPeerConnection exists
 * only in the browser, where test/e2e/network.test.ts drives the real thing.
 */
class Connection extends EventTarget {
  connectionState: RTCPeerConnectionState = "new";
  remoteDescription: { type: string; sdp: string } | null = null;
  set(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
  /** The offer (or answer) arrives: `setRemoteDescription`. */
  describe(): void {
    this.remoteDescription = { type: "offer", sdp: "" };
    this.dispatchEvent(new Event("signalingstatechange"));
  }
}

function watched(restartIce: () => Promise<void> = async () => undefined) {
  const pc = new Connection();
  const calls = { restartIce: 0, replace: [] as string[], escalate: [] as string[] };
  const watchdog = new MediaWatchdog(pc as unknown as RTCPeerConnection, {
    restartIce: () => {
      calls.restartIce++;
      return restartIce();
    },
    replace: (reason) => calls.replace.push(reason),
    escalate: (reason) => calls.escalate.push(reason),
  });
  pc.set("connected");
  return { pc, calls, watchdog };
}

/** Lets the restart's promise settle. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe("the media watchdog", () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ["setTimeout"] });
    mock.method(console, "info", () => undefined);
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  it("restarts ICE after 2 s disconnected, and keeps the connection when it comes back", () => {
    const { pc, calls } = watched();
    pc.set("disconnected");
    mock.timers.tick(DISCONNECTED_RESTART_MS - 1);
    assert.equal(calls.restartIce, 0, "not before 2 s");
    mock.timers.tick(1);
    assert.equal(calls.restartIce, 1);
    pc.set("connected");
    mock.timers.tick(ICE_RESTART_GRACE_MS * 2);
    assert.deepEqual(calls.replace, [], "the ICE restart worked: nothing replaced");
    // Lost again later: restarted again.
    pc.set("failed");
    assert.equal(calls.restartIce, 2);
  });

  it("does nothing when the connection recovers within 2 s by itself", () => {
    const { pc, calls } = watched();
    pc.set("disconnected");
    mock.timers.tick(DISCONNECTED_RESTART_MS - 500);
    pc.set("connected");
    mock.timers.tick(DISCONNECTED_RESTART_MS * 2);
    assert.equal(calls.restartIce, 0);
  });

  it("restarts ICE at once on failed; replaces the connections if it is not back in time", () => {
    const { pc, calls } = watched();
    pc.set("failed");
    assert.equal(calls.restartIce, 1);
    // The new generation's checks may fail on the way: only the grace period decides.
    pc.set("connecting");
    pc.set("failed");
    mock.timers.tick(ICE_RESTART_GRACE_MS - 1);
    assert.deepEqual(calls.replace, []);
    mock.timers.tick(1);
    assert.equal(calls.replace.length, 1);
    assert.match(calls.replace[0] ?? "", /ICE restart did not bring it back/);
    assert.equal(calls.restartIce, 1, "one ICE restart, then the fallback");
    pc.set("connected");
    pc.set("failed");
    assert.equal(calls.restartIce, 1, "handed over: a replaced connection is not watched");
  });

  it("replaces the connections at once when the ICE restart fails", async () => {
    const { pc, calls } = watched(async () => {
      throw new Error("request timed out");
    });
    pc.set("failed");
    await settle();
    assert.equal(calls.replace.length, 1);
    assert.match(calls.replace[0] ?? "", /the ICE restart failed: request timed out/);
    mock.timers.tick(ICE_RESTART_GRACE_MS);
    assert.equal(calls.replace.length, 1, "once");
  });

  it("stops watching once closed", () => {
    const { pc, calls, watchdog } = watched();
    pc.set("disconnected");
    watchdog.close();
    mock.timers.tick(DISCONNECTED_RESTART_MS + ICE_RESTART_GRACE_MS);
    pc.set("failed");
    assert.equal(calls.restartIce, 0);
    assert.deepEqual(calls.replace, []);
  });

  it("escalates when a new connection never comes up", () => {
    const pc = new Connection();
    const escalated: string[] = [];
    new MediaWatchdog(pc as unknown as RTCPeerConnection, {
      restartIce: async () => undefined,
      replace: () => undefined,
      escalate: (reason) => escalated.push(reason),
    });
    pc.set("connecting");
    mock.timers.tick(CONNECT_DEADLINE_MS);
    assert.deepEqual(escalated, ["the media connection did not come up"]);
  });

  it("MEDIA-1: leaves a connection waiting for its first offer alone (a person alone in a meeting)", () => {
    const pc = new Connection();
    const calls: string[] = [];
    new MediaWatchdog(pc as unknown as RTCPeerConnection, {
      restartIce: async () => {
        calls.push("restartIce");
      },
      replace: () => calls.push("replace"),
      escalate: () => calls.push("escalate"),
    });
    mock.timers.tick(CONNECT_DEADLINE_MS * 10);
    assert.deepEqual(calls, [], "no offer for minutes: nothing is wrong, nothing is rebuilt");
    // Someone else publishes: the offer comes, and from now on the deadline runs.
    pc.describe();
    mock.timers.tick(CONNECT_DEADLINE_MS - 1);
    assert.deepEqual(calls, []);
    mock.timers.tick(1);
    assert.deepEqual(calls, ["escalate"], "an offer that never connects still escalates");
  });

  it("MEDIA-1: no escalation once the late offer connected", () => {
    const pc = new Connection();
    const escalated: string[] = [];
    new MediaWatchdog(pc as unknown as RTCPeerConnection, {
      restartIce: async () => undefined,
      replace: () => undefined,
      escalate: (reason) => escalated.push(reason),
    });
    mock.timers.tick(CONNECT_DEADLINE_MS * 3);
    pc.describe();
    pc.set("connecting");
    pc.set("connected");
    mock.timers.tick(CONNECT_DEADLINE_MS * 3);
    assert.deepEqual(escalated, []);
  });
});
