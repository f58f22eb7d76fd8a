import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { createMeeting, join, newPerson, type Person, seesVideo } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { waitFor } from "../support/wait";

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> https://example.org/?a=<b>b</b>`;

const captures = (page: Page) =>
  page.evaluate(() => (window as unknown as { __gum: number }).__gum);
const pressed = async (page: Page, name: string) =>
  (await page.getByRole("button", { name, exact: true }).getAttribute("aria-pressed")) === "true";
const tile = (p: Person, name: string) => p.page.locator("figure.tile.person", { hasText: name });

/** Video frames decoded so far in one element: grows while a picture plays. */
const frames = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const v = document.querySelector<HTMLVideoElement>(s);
    return v ? v.getVideoPlaybackQuality().totalVideoFrames : -1;
  }, selector);

describe("the meeting experience, three people", () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let roomUrl: string;
  const sentByAlice: string[] = [];

  before(async () => {
    server = await startServerProcess();
    // Three fake cameras, so that switching the camera can be tested. The
    // second one delivers 16-bit depth frames (Y16) and stalls the page; the
    // third (MJPEG) is an ordinary camera.
    browser = await launchChromium(["--use-fake-device-for-media-stream=device-count=3"]);
    alice = await newPerson(browser, "en-US");
    bob = await newPerson(browser, "de-DE");
    carol = await newPerson(browser, "en-US");
    // Everything Alice's browser sends over signalling, to check what never leaves it.
    alice.page.on("websocket", (ws) =>
      ws.on("framesent", (f) => sentByAlice.push(String(f.payload))),
    );
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("pre-join: devices off and said so, nothing captured, privacy link; meter and device lists once on", async () => {
    roomUrl = await createMeeting(alice, server.url);
    const page = alice.page;
    await page.getByText("Camera and microphone are off").waitFor();
    assert.equal(await captures(page), 0, "no getUserMedia before the person acts");
    const privacy = page.getByRole("link", { name: "Privacy notice" });
    assert.equal(await privacy.getAttribute("href"), "/privacy?lang=en");
    assert.equal(await privacy.getAttribute("rel"), "noopener noreferrer");
    assert.equal(await page.locator("select").count(), 0, "no device list before a device is on");
    await page.getByRole("button", { name: "Microphone", exact: true }).click();
    await page.getByRole("meter", { name: "Microphone level" }).waitFor();
    await page.getByLabel("Camera", { exact: true }).waitFor();
    const cameras = await page.getByLabel("Camera", { exact: true }).locator("option").count();
    assert.equal(cameras, 3, "every fake camera is offered");
    await join(alice, undefined, "Alice", { cam: true });
  });

  it("the privacy notice is served in both languages", async () => {
    const page = await (await browser.newContext({ locale: "de-DE" })).newPage();
    const response = await page.goto(`${server.url}/privacy`);
    assert.equal(response?.status(), 200);
    // Generated from the configuration by the server (COMPLIANCE L6), in the browser's language.
    await page.getByRole("heading", { name: /^Datenschutzhinweise/ }).waitFor();
    await page.getByRole("link", { name: "English" }).click();
    await page.getByRole("heading", { name: /^Privacy notice/ }).waitFor();
    await page.context().close();
  });

  it("three join (one in German) and each sees a grid of three with names and states", async () => {
    await join(bob, roomUrl, "Bob", { mic: true, cam: true }, alice);
    await join(carol, roomUrl, "Carol", { cam: true }, alice);
    for (const p of [alice, bob, carol]) {
      await waitFor(
        "three tiles",
        async () => (await p.page.locator("figure.tile.person").count()) === 3,
      );
      assert.equal(await p.page.locator(".stage.grid").getAttribute("data-cols"), "2");
    }
    await seesVideo(alice, 'figure.tile.remote:has-text("Bob")', "Bob's camera on Alice's page");
    await seesVideo(bob, 'figure.tile.remote:has-text("Carol")', "Carol's camera on Bob's page");
    await tile(alice, "Carol").getByText("Microphone off").waitFor();
    await tile(bob, "Carol").getByText("Mikrofon aus").waitFor();
    await tile(bob, "Alice").getByText("Moderation").waitFor();
  });

  it("delivers chat to everyone as inert text, with an unread counter and a length limit", async () => {
    await bob.page.getByRole("button", { name: "Chat" }).waitFor();
    await alice.page.getByRole("button", { name: "Chat" }).click();
    await alice.page.getByLabel("Message to everyone").fill(XSS);
    await alice.page.getByRole("button", { name: "Send" }).click();
    await alice.page.locator(".messages li.own").waitFor();
    await bob.page.getByRole("button", { name: "Chat 1 ungelesen" }).waitFor();
    for (const p of [bob, carol]) {
      await p.page.getByRole("button", { name: /^Chat/ }).click();
      const message = p.page.locator(".messages li .text");
      await waitFor("the message", async () => (await message.count()) === 1);
      assert.equal(await message.textContent(), XSS, "shown exactly as typed");
      assert.equal(await p.page.locator(".messages img, .messages script, .messages b").count(), 0);
    }
    for (const p of [alice, bob, carol]) {
      assert.equal(
        await p.page.evaluate(() => (window as unknown as { __xss?: number }).__xss),
        undefined,
      );
    }
    await carol.page.getByLabel("Message to everyone").fill("x".repeat(2001));
    await carol.page
      .getByText("The message is too long: 2001 of at most 2000 characters.")
      .waitFor();
    assert.ok(await carol.page.getByRole("button", { name: "Send" }).isDisabled());
    await carol.page.getByLabel("Message to everyone").fill("");
  });

  it("shortcuts M, V and H work, but not while typing", async () => {
    // Alice's chat field has the focus: typing there must not switch anything.
    await alice.page.getByLabel("Message to everyone").pressSequentially("hmv");
    assert.equal(await pressed(alice.page, "Camera"), true);
    assert.equal(await pressed(alice.page, "Raise hand"), false);
    await alice.page.getByRole("button", { name: "Close" }).click();
    assert.equal(await pressed(alice.page, "Microphone"), true, "switched on before joining");
    await alice.page.keyboard.press("m");
    await waitFor("Alice's microphone off", async () => !(await pressed(alice.page, "Microphone")));
    await tile(bob, "Alice").getByText("Mikrofon aus").waitFor();
    await alice.page.keyboard.press("m");
    await waitFor("Alice's microphone on", () => pressed(alice.page, "Microphone"));
    await tile(bob, "Alice").locator(".mic-off").waitFor({ state: "detached" });
    await alice.page.keyboard.press("v");
    await waitFor("Alice's camera off", async () => !(await pressed(alice.page, "Camera")));
    await alice.page.keyboard.press("v");
    // Seen once in a full run: the camera stayed off. Say what the page said if it recurs.
    await waitFor("Alice's camera on", () => pressed(alice.page, "Camera")).catch(async (error) => {
      const said = await alice.page.getByRole("alert").allInnerTexts();
      throw new Error(`${(error as Error).message}; the page's alerts: ${JSON.stringify(said)}`);
    });
  });

  it("keeps raised hands in order, visible to all, and announces them", async () => {
    await carol.page.getByRole("button", { name: "Close" }).click();
    await carol.page.keyboard.press("h");
    await waitFor("Carol's hand up", () => pressed(carol.page, "Raise hand"));
    await bob.page.getByRole("button", { name: "Hand heben" }).click();
    await alice.page.getByRole("status").getByText("Carol raised their hand.").waitFor();
    await alice.page.getByRole("button", { name: /^Participants/ }).click();
    const order = () =>
      alice.page.getByRole("list", { name: "Raised hands" }).locator("li").allTextContents();
    await waitFor("two hands in order", async () => (await order()).join() === "Carol,Bob");
    await tile(bob, "Carol").getByText("Hand gehoben, Nummer 1").waitFor();
    await carol.page.keyboard.press("h");
    await waitFor("Carol's hand down for Alice", async () => (await order()).join() === "Bob");
    const people = alice.page.getByRole("list", { name: "Participants (3)" });
    await people.locator("li", { hasText: "Alice (You)" }).getByText("Moderator").waitFor();
    await people.locator("li", { hasText: "Bob" }).getByText("Hand raised").waitFor();
    await bob.page.getByRole("button", { name: "Hand heben" }).click();
  });

  it("shows a screen share large to everyone, one share at a time", async () => {
    await bob.page.getByRole("button", { name: "Bildschirm teilen" }).click();
    for (const p of [alice, carol]) {
      await p.page.locator(".main-tile figure.tile.screen").waitFor({ timeout: 30_000 });
      await seesVideo(p, "figure.tile.screen", "Bob's screen");
    }
    await alice.page.getByRole("img", { name: "Screen of Bob" }).count();
    await carol.page.getByRole("button", { name: "Share screen" }).click();
    await carol.page
      .getByRole("alert")
      .getByText("Someone else is already sharing their screen.")
      .waitFor();
    assert.equal(await pressed(carol.page, "Share screen"), false);
    await bob.page.getByRole("button", { name: "Freigabe beenden" }).click();
    await waitFor(
      "the share to end",
      async () => (await alice.page.locator("figure.tile.screen").count()) === 0,
    );
    await alice.page.getByRole("button", { name: "Grid", exact: true }).click();
  });

  it("switches the camera during the meeting without rejoining, and releases it when off", async () => {
    const self = alice.page.locator("figure.tile.self.person");
    const id = await self.getAttribute("data-participant-id");
    const deviceOf = () =>
      self.locator("video").evaluate((v: HTMLVideoElement) => {
        // A freshly laid-out tile gets its stream in an effect, just after rendering.
        const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
        (window as unknown as { __cam?: MediaStreamTrack }).__cam = track;
        return track?.getSettings().deviceId;
      });
    const before = await waitFor("Alice's own picture", deviceOf);
    const gumBefore = await captures(alice.page);
    await alice.page.getByRole("button", { name: "Devices" }).click();
    const select = alice.page.getByLabel("Camera", { exact: true });
    const other = await select
      .locator("option", { hasText: "fake_device_2" })
      .getAttribute("value");
    assert.notEqual(other, before);
    assert.ok(other, "a second camera");
    await select.selectOption(other);
    await waitFor("the new camera", async () => (await deviceOf()) === other);
    assert.equal(await captures(alice.page), gumBefore + 1);
    assert.equal(await self.getAttribute("data-participant-id"), id, "same participant, no rejoin");
    const aliceOnBob = `figure.tile.remote[data-participant-id="${id}"] video`;
    const start = await frames(bob.page, aliceOnBob);
    await waitFor(
      "Bob to keep receiving Alice",
      async () => (await frames(bob.page, aliceOnBob)) > start + 10,
    );
    const stored = await alice.page.evaluate(() => localStorage.getItem("plenum.devices") ?? "");
    assert.ok(stored.includes(other), "the choice is remembered in this browser");
    assert.ok(
      sentByAlice.length > 0 && !sentByAlice.some((frame) => frame.includes(other)),
      "device ids are never sent to the server",
    );
    await alice.page.getByRole("button", { name: "Camera", exact: true }).click();
    await waitFor("the camera released", () =>
      alice.page.evaluate(
        () => (window as unknown as { __cam: MediaStreamTrack }).__cam.readyState === "ended",
      ),
    );
    await tile(bob, "Alice").getByText("Kamera aus").waitFor();
  });

  it("shows reactions briefly and highlights the active speaker", async () => {
    await carol.page.getByRole("button", { name: "Reactions" }).click();
    await carol.page.getByRole("button", { name: "React with thumbs up" }).click();
    await alice.page.getByRole("status").getByText("Carol: thumbs up").waitFor();
    await bob.page.getByRole("status").getByText("Carol: Daumen hoch").waitFor();
    // Bob's fake microphone beeps: Alice's page sees him speak.
    await waitFor(
      "Bob highlighted as speaking",
      () => tile(alice, "Bob").getAttribute("data-speaking"),
      {
        timeoutMs: 45_000,
      },
    );
    await tile(alice, "Bob")
      .getByRole("img", { name: /^Connection: (good|fair|poor)$/ })
      .waitFor();
  });

  it("switches the language, and tells the others when someone leaves", async () => {
    await alice.page.getByRole("button", { name: "Sprache: Deutsch" }).click();
    await alice.page.getByRole("button", { name: "Verlassen" }).waitFor();
    await carol.page.getByRole("button", { name: "Leave" }).click();
    await carol.page.getByRole("button", { name: "Rejoin" }).waitFor();
    await alice.page.getByRole("status").getByText("Carol hat das Meeting verlassen.").waitFor();
    await waitFor(
      "two tiles",
      async () => (await alice.page.locator("figure.tile.person").count()) === 2,
    );
  });
});
