import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { join, newPerson, type Person, seesVideo } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";

/** What the page's peer connections are doing: how many were ever made, and their states. */
function connections(person: Person): Promise<{ made: number; states: string[] }> {
  return person.page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    return { made: pcs.length, states: pcs.map((pc) => pc.connectionState) };
  });
}

/**
 * Issue 18: a person alone in a meeting got their receiving connection
 * rebuilt every 15 s (no offer comes until someone else publishes, and the
 * watchdog escalated anyway), and with it the signalling.
 */
describe("a person alone in a meeting (Chromium)", () => {
  let server: ServerProcess;
  let browser: Browser;
  let ann: Person;
  let ben: Person;
  let roomUrl: string;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    roomUrl = (await createRoom(server.url, { lobby: false })).url;
    ann = await newPerson(browser, "en-US");
    ben = await newPerson(browser, "de-DE");
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("MEDIA-1: stays connected for 60 s without any connection rebuilt", async () => {
    await join(ann, roomUrl, "Ann", { cam: true, mic: true });
    const first = await connections(ann);
    assert.equal(first.made, 2, "one sending and one receiving connection");
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const now = await connections(ann);
      assert.equal(now.made, first.made, `no connection rebuilt (states: ${now.states})`);
      assert.ok(!now.states.includes("closed"), `none closed (states: ${now.states})`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    // Still in the meeting: the signalling was not reconnected either.
    await ann.page.getByRole("button", { name: ann.words.leave }).waitFor({ timeout: 1_000 });
  });

  it("MEDIA-1: the receiving connection that waited comes up when someone arrives", async () => {
    await join(ben, roomUrl, "Ben", { cam: true });
    await seesVideo(ann, 'figure.tile.remote:has-text("Ben")', "Ben's camera at Ann");
    const { made, states } = await connections(ann);
    assert.equal(made, 2, `still the first two connections (states: ${states})`);
  });
});
