import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { SignallingClient } from "../support/social-client";
import { waitFor } from "../support/wait";

/** What arrives of one participant's microphone and camera in `page` (their tile's tracks). */
interface Flow {
  videoBytes: number;
  framesDecoded: number;
  audioPackets: number;
}

function flowFrom(page: Page, participantId: string): Promise<Flow> {
  return page.evaluate(async (id) => {
    const flow = { videoBytes: 0, framesDecoded: 0, audioPackets: 0 };
    const video = document.querySelector(
      `figure.tile.person[data-participant-id="${id}"] video`,
    ) as HTMLVideoElement | null;
    const stream = video?.srcObject as MediaStream | null | undefined;
    const tracks = new Set(stream?.getTracks().map((t) => t.id) ?? []);
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp" || !tracks.has(s.trackIdentifier)) return;
        if (s.kind === "audio") flow.audioPackets += s.packetsReceived ?? 0;
        if (s.kind !== "video") return;
        flow.videoBytes += s.bytesReceived ?? 0;
        flow.framesDecoded += s.framesDecoded ?? 0;
      });
    }
    return flow;
  }, participantId);
}

/** How `participantId`'s media in `page` changes over `ms`. */
async function change(page: Page, participantId: string, ms = 1000): Promise<Flow> {
  const before = await flowFrom(page, participantId);
  await new Promise((r) => setTimeout(r, ms));
  const after = await flowFrom(page, participantId);
  return {
    videoBytes: after.videoBytes - before.videoBytes,
    framesDecoded: after.framesDecoded - before.framesDecoded,
    audioPackets: after.audioPackets - before.audioPackets,
  };
}

/** Waits until no video bytes of `participantId` arrive for a second; returns how long it took. */
async function videoStops(page: Page, participantId: string, what: string): Promise<number> {
  const start = Date.now();
  await waitFor(what, async () => (await change(page, participantId)).videoBytes === 0, {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  return Date.now() - start;
}

/** Waits until frames of `participantId`'s camera are decoded again; returns how long it took. */
async function videoDecodes(page: Page, participantId: string, what: string): Promise<number> {
  const start = Date.now();
  await waitFor(what, async () => (await change(page, participantId, 250)).framesDecoded > 0, {
    timeoutMs: 15_000,
    intervalMs: 50,
  });
  return Date.now() - start;
}

/**
 * The document's visibility as a minimised window or a background tab makes
 * it. Headless Chromium keeps every page "visible" whatever happens to it
 * (checked: another tab brought to the front, the window minimised with
 * Browser.setWindowBounds, Target.activateTarget, Page.setWebLifecycleState),
 * so the page is told as the browser would tell it: `visibilityState` and a
 * `visibilitychange` event.
 */
function setPageHidden(page: Page, hidden: boolean): Promise<void> {
  // A string, not a function: the test's transpiler would wrap the getters in a helper
  // (`__name`) that does not exist in the page.
  return page.evaluate(`(() => {
    if (${hidden}) {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    } else {
      // The document's own properties go; the real ones ("visible") show again.
      delete document.visibilityState;
      delete document.hidden;
    }
    document.dispatchEvent(new Event("visibilitychange"));
  })()`);
}

/** Where a tile is relative to the window. */
function boxOf(page: Page, participantId: string) {
  return page
    .locator(`figure.tile.person[data-participant-id="${participantId}"]`)
    .evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, inView: r.bottom > 0 && r.top < window.innerHeight };
    });
}

/**
 * Issue 6: video of tiles nobody can see is not sent. Anna and Ben send camera
 * and microphone; Sam watches on a phone-sized window, where the grid has two
 * columns and the page scrolls (on a desktop the grid shrinks its tiles to fit
 * instead; there only the speaker view's strip scrolls). Scrolling Anna's tile out of view stops her
 * video to Sam (the SFU forwards none), while Ben's video and Anna's voice go
 * on; scrolled back, her video returns. A hidden page (minimised window,
 * another tab) stops all video to Sam, and it returns when he comes back.
 */
describe("video of tiles that are not shown is paused for that subscriber", () => {
  let server: ServerProcess;
  let browser: Browser;
  let sam: Person;
  /** The remote tile in the grid's first row (scrolled out) and one below it (stays). */
  let upper: string;
  let lower: string;
  const others: SignallingClient[] = [];

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const room = await createRoom(server.url, { lobby: false });
    const anna = await newPerson(browser, "en-US");
    const ben = await newPerson(browser, "en-US");
    await join(anna, room.url, "Anna", { mic: true, cam: true });
    await join(ben, room.url, "Ben", { mic: true, cam: true });
    // Four more without camera (signalling only, to spare the CPU): enough tiles to scroll.
    for (let i = 1; i <= 4; i++) {
      const client = await SignallingClient.connect(server.url);
      await client.request({ type: "join", roomId: room.id, name: `Person ${i}` });
      others.push(client);
    }
    // A phone: two columns (Sam's own tile beside Anna's, Ben's below), the page scrolls.
    sam = await newPerson(browser, "en-US", { width: 360, height: 500 });
    await join(sam, room.url, "Sam");
    const ids = await waitFor("Anna's and Ben's cameras", async () => {
      const found = await sam.page
        .locator('figure.tile.person.remote[data-camera="on"]')
        .evaluateAll((tiles) => tiles.map((t) => t.getAttribute("data-participant-id") ?? ""));
      return found.length === 2 ? found : undefined;
    });
    const boxes = await Promise.all(ids.map((id) => boxOf(sam.page, id)));
    const order = ids
      .map((id, i) => ({ id, top: boxes[i]?.top ?? 0 }))
      .sort((a, b) => a.top - b.top);
    upper = order[0]?.id ?? "";
    lower = order[1]?.id ?? "";
    for (const id of ids)
      await videoDecodes(sam.page, id, "Sam to see everyone's video before anything is hidden");
  });

  after(async () => {
    for (const c of others) c.close();
    await browser?.close();
    await server?.close();
  });

  it("stops a tile's video while it is scrolled out of view, not its sound, and resumes it when back", async () => {
    const page = sam.page;
    await page.evaluate(async (id) => {
      const tile = document.querySelector(`figure.tile.person[data-participant-id="${id}"]`);
      const bottom = tile?.getBoundingClientRect().bottom ?? 0;
      window.scrollBy(0, bottom + 1);
    }, upper);
    const [hidden, shown] = [await boxOf(page, upper), await boxOf(page, lower)];
    assert.ok(!hidden.inView, `the upper tile is out of view (${JSON.stringify(hidden)})`);
    assert.ok(shown.inView, `the lower tile is still in view (${JSON.stringify(shown)})`);

    const stoppedAfter = await videoStops(page, upper, "the hidden tile's video to stop");
    const meanwhile = await change(page, upper, 1500);
    assert.equal(meanwhile.videoBytes, 0, "no video of the hidden tile arrives");
    assert.ok(
      meanwhile.audioPackets > 20,
      `their voice goes on (${meanwhile.audioPackets} packets)`,
    );
    assert.ok((await change(page, lower)).framesDecoded > 0, "the tile in view keeps playing");

    await page.evaluate(() => window.scrollTo(0, 0));
    const resumedAfter = await videoDecodes(page, upper, "the tile's video back in view");
    console.log(
      `paused video: scrolled out, video stopped after ${stoppedAfter} ms; scrolled back, decoding after ${resumedAfter} ms`,
    );
    assert.ok(resumedAfter <= 10_000, `video back within a few seconds (${resumedAfter} ms)`);
  });

  it("stops all video while the page is hidden (minimised, another tab), not the sound, and resumes it on return", async () => {
    const page = sam.page;
    await page.evaluate(() => window.scrollTo(0, 0));
    await setPageHidden(page, true);
    try {
      const stoppedAfter = Math.max(
        await videoStops(page, upper, "video to stop while the page is hidden"),
        await videoStops(page, lower, "all video to stop while the page is hidden"),
      );
      const meanwhile = await change(page, upper, 1500);
      assert.equal(meanwhile.videoBytes, 0, "no video arrives");
      assert.ok(meanwhile.audioPackets > 20, `sound goes on (${meanwhile.audioPackets} packets)`);
      assert.equal((await change(page, lower)).videoBytes, 0, "nobody's video arrives");
      console.log(`paused video: page hidden, all video stopped after ${stoppedAfter} ms`);
    } finally {
      await setPageHidden(page, false);
    }
    const start = Date.now();
    await Promise.all([
      videoDecodes(page, upper, "video back when the page is shown"),
      videoDecodes(page, lower, "everyone's video back when the page is shown"),
    ]);
    const resumedAfter = Date.now() - start;
    console.log(`paused video: page shown again, everyone decoding after ${resumedAfter} ms`);
    assert.ok(resumedAfter <= 10_000, `video back within a few seconds (${resumedAfter} ms)`);
  });
});
