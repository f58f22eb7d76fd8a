import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import { launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

/**
 * Each device problem a person can meet, with the message they get. The
 * browser's refusal is produced by replacing getUserMedia before the page
 * loads, as a browser would answer for a denied permission, a missing
 * camera or a camera held by another program.
 */
const CASES = [
  [
    "NotAllowedError",
    "The browser was not allowed to use the camera. Allow it in the address bar.",
  ],
  ["NotFoundError", "No camera was found."],
  ["NotReadableError", "The camera is in use by another program."],
] as const;

describe("device problems are explained", () => {
  let server: ServerProcess;
  let browser: Browser;
  let roomUrl: string;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const response = await fetch(`${server.url}/api/rooms`, { method: "POST" });
    roomUrl = ((await response.json()) as { url: string }).url;
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  for (const [name, message] of CASES) {
    it(`${name}: "${message}"`, async () => {
      const context = await personContext(browser, "en-US");
      contexts.push(context);
      await context.addInitScript((errorName) => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException("test", errorName));
      }, name);
      const page = await context.newPage();
      await page.goto(roomUrl);
      await page.getByRole("button", { name: "Camera", exact: true }).click();
      await page.getByRole("alert").getByText(message).waitFor();
    });
  }

  it("an unsupported browser is told so before anything else", async () => {
    const context = await personContext(browser, "de-DE");
    contexts.push(context);
    await context.addInitScript(() => {
      // A browser without WebRTC.
      delete (window as { RTCPeerConnection?: unknown }).RTCPeerConnection;
    });
    const page = await context.newPage();
    await page.goto(roomUrl);
    await page
      .getByRole("alert")
      .getByText("Dieser Browser kann nicht an Videokonferenzen teilnehmen")
      .waitFor();
    await page.getByRole("link", { name: "Datenschutzhinweise" }).waitFor();
  });
});
