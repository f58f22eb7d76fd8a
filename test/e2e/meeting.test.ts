import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";
import { waitFor } from "../support/wait";

/** Inbound RTP totals of a page, read from getStats of every peer connection it made. */
async function inbound(page: Page): Promise<{ framesDecoded: number; audioPackets: number }> {
  return page.evaluate(async () => {
    let framesDecoded = 0;
    let audioPackets = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video") framesDecoded += s.framesDecoded ?? 0;
        if (s.kind === "audio") audioPackets += s.packetsReceived ?? 0;
      });
    }
    return { framesDecoded, audioPackets };
  });
}

/** The remote participant's video on `page` is playing: it has a size and frames keep being decoded. */
async function seesVideoOf(page: Page, name: string): Promise<void> {
  const tile = page.locator("figure.tile.remote", { hasText: name });
  await waitFor(`${name}'s video to have a size`, () =>
    tile.locator("video").evaluate((v: HTMLVideoElement) => v.videoWidth > 0),
  );
  const first = await inbound(page);
  await waitFor(`frames of ${name} to keep being decoded`, async () => {
    const now = await inbound(page);
    return (
      now.framesDecoded > first.framesDecoded + 10 && now.audioPackets > first.audioPackets + 10
    );
  });
}

describe("a meeting between two browsers", () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Page;
  let bob: Page;
  let roomUrl: string;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    alice = await (await personContext(browser, "en-US")).newPage();
    bob = await (await personContext(browser, "de-DE")).newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates a meeting from the start page and goes to its link (English)", async () => {
    await alice.goto(server.url);
    await alice.getByRole("button", { name: "New meeting" }).click();
    await alice.waitForURL(/\/r\/[A-Za-z0-9_-]{22,}$/);
    roomUrl = alice.url();
    assert.ok(!roomUrl.includes("#"), "the moderator secret is removed from the address bar");
  });

  it("asks for a name with camera and microphone off, then joins", async () => {
    const mic = alice.getByRole("button", { name: "Microphone" });
    const cam = alice.getByRole("button", { name: "Camera" });
    assert.equal(await mic.getAttribute("aria-pressed"), "false");
    assert.equal(await cam.getAttribute("aria-pressed"), "false");
    const captures = () => alice.evaluate(() => (window as unknown as { __gum: number }).__gum);
    assert.equal(await captures(), 0, "nothing is captured before the person acts (T8)");
    await alice.getByLabel("Your name").fill("Alice");
    await mic.click();
    await cam.click();
    await waitFor(
      "Alice's devices to be on",
      async () => (await cam.getAttribute("aria-pressed")) === "true",
    );
    assert.equal(await captures(), 2);
    await alice.getByRole("button", { name: "Join" }).click();
    await alice.getByRole("button", { name: "Leave" }).waitFor();
  });

  it("lets a second person join in German, and each sees and hears the other", async () => {
    await bob.goto(roomUrl);
    await bob.getByLabel("Ihr Name").fill("Bob");
    await bob.getByRole("button", { name: "Mikrofon" }).click();
    await bob.getByRole("button", { name: "Kamera" }).click();
    await waitFor(
      "Bob's camera to be on",
      async () =>
        (await bob.getByRole("button", { name: "Kamera" }).getAttribute("aria-pressed")) === "true",
    );
    await bob.getByRole("button", { name: "Beitreten" }).click();
    // The lobby is on by default: Bob waits until Alice, the moderator, lets him in.
    await bob.getByRole("heading", { name: "Bitte warten" }).waitFor();
    await alice.getByRole("button", { name: "Admit Bob" }).click();
    await seesVideoOf(alice, "Bob");
    await seesVideoOf(bob, "Alice");
    assert.equal(
      await alice.locator("video.remote-video").count(),
      1,
      "one video per remote participant",
    );
  });

  it("shows the other side when someone switches their camera off", async () => {
    const tileOnAlice = alice.locator("figure.tile.remote", { hasText: "Bob" });
    await bob.getByRole("button", { name: "Kamera" }).click();
    assert.equal(
      await bob.getByRole("button", { name: "Kamera" }).getAttribute("aria-pressed"),
      "false",
    );
    await tileOnAlice.getByText("Camera off").waitFor();
    assert.equal(await tileOnAlice.getAttribute("data-camera"), "off");
    await bob.getByRole("button", { name: "Mikrofon" }).click();
    await tileOnAlice.getByText("Microphone off").waitFor();
  });

  it("removes the tile when someone leaves, and offers to rejoin", async () => {
    await bob.getByRole("button", { name: "Verlassen" }).click();
    await bob.getByRole("button", { name: "Erneut beitreten" }).waitFor();
    await waitFor(
      "Bob's tile to go",
      async () => (await alice.locator("figure.tile.remote").count()) === 0,
    );
  });

  it("lets someone who left rejoin: both see and hear each other again", async () => {
    await bob.getByRole("button", { name: "Erneut beitreten" }).click();
    await bob.getByRole("heading", { name: "Bitte warten" }).waitFor();
    await alice.getByRole("button", { name: "Admit Bob" }).click();
    // Devices were released on leaving; Bob switches them on again in the meeting.
    await bob.getByRole("button", { name: "Mikrofon", exact: true }).click();
    await bob.getByRole("button", { name: "Kamera", exact: true }).click();
    // Alice receives Bob on the m-lines the SFU kept from his first visit.
    await seesVideoOf(alice, "Bob");
    await seesVideoOf(bob, "Alice");
  });

  it("does nothing the Content-Security-Policy has to refuse (no eval, no foreign origin)", async () => {
    for (const page of [alice, bob]) {
      const refused = await page.evaluate(
        () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
      );
      assert.deepEqual(refused, []);
    }
  });
});
