import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { type Coturn, startCoturn } from "../support/coturn";
import { createMeeting, join, newPerson, type Person, seesVideo } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";

/** The SFU's media address: on loopback, but not 127.0.0.1 (which the coturn config denies). */
const SFU = "127.0.0.2";

/**
 * Makes the page's peer connections relay-only, as in a network that lets
 * nothing through but the TURN server. The product sets no policy; this
 * forces every candidate through coturn so the test proves the relay path.
 */
async function relayOnly(person: Person): Promise<void> {
  await person.page.context().addInitScript(() => {
    const Previous = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Previous {
      constructor(config?: RTCConfiguration) {
        super({ ...config, iceTransportPolicy: "relay" });
      }
      override setConfiguration(config?: RTCConfiguration): void {
        super.setConfiguration({ ...config, iceTransportPolicy: "relay" });
      }
    };
  });
}

/** The ICE servers and the types of the selected local candidates of every live connection. */
function relayState(page: Page): Promise<{ turn: string[]; selected: string[] }> {
  return page.evaluate(async () => {
    const turn: string[] = [];
    const selected: string[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      for (const s of pc.getConfiguration().iceServers ?? []) turn.push(...[s.urls].flat());
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type !== "transport" || !s.selectedCandidatePairId) return;
        const pair = stats.get(s.selectedCandidatePairId);
        selected.push(stats.get(pair?.localCandidateId)?.candidateType ?? "none");
      });
    }
    return { turn, selected };
  });
}

describe("a meeting between browsers that reach the SFU only through coturn", () => {
  let coturn: Coturn;
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    coturn = await startCoturn([
      "allow-loopback-peers",
      `allowed-peer-ip=${SFU}`,
      "max-allocate-lifetime=60",
    ]);
    server = await startServerProcess({
      PLENUM_MEDIA_ADDRESSES: SFU,
      PLENUM_TURN_URLS: coturn.url,
      PLENUM_TURN_SECRET: coturn.secret,
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await coturn?.close();
  });

  it("uses the TURN server from the join reply, and each sees the other through the relay", async () => {
    const alice = await newPerson(browser, "en-US");
    const bob = await newPerson(browser, "en-US");
    await relayOnly(alice);
    await relayOnly(bob);
    const room = await createMeeting(alice, server.url);
    await join(alice, undefined, "Alice", { mic: true, cam: true });
    await join(bob, room, "Bob", { mic: true, cam: true }, alice);
    await seesVideo(alice, "figure.tile.remote", "Bob's video at Alice");
    await seesVideo(bob, "figure.tile.remote", "Alice's video at Bob");
    for (const [name, person] of [
      ["Alice", alice],
      ["Bob", bob],
    ] as const) {
      const state = await relayState(person.page);
      assert.ok(state.turn.length >= 2 && state.turn.every((u) => u === coturn.url), name);
      assert.ok(state.selected.length >= 2, `${name} has both connections up`);
      assert.deepEqual(new Set(state.selected), new Set(["relay"]), `${name} goes through coturn`);
    }
  });
});
