import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { freePort } from "../support/free-port";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { inboundVideo, risingStreams } from "../support/video-stats";
import { waitFor } from "../support/wait";

async function decoding(person: Person): Promise<boolean> {
  const before = await inboundVideo(person.page);
  await new Promise((r) => setTimeout(r, 300));
  return risingStreams(before, await inboundVideo(person.page)) >= 1;
}

/**
 * Graceful shutdown (SIGTERM, as systemd, Docker or Kubernetes send it):
 * joins are refused with a clear error, the people in meetings are told and
 * wait, the process exits 0; once the server is back they are in again.
 */
describe("SIGTERM", () => {
  const dataDir = mkdtempSync(joinPath(tmpdir(), "plenum-sigterm-"));
  let port: number;
  let server: ServerProcess | undefined;
  let browser: Browser;
  const start = () =>
    startServerProcess({
      PLENUM_PORT: String(port),
      PLENUM_DATA_DIR: dataDir,
      PLENUM_SHUTDOWN_GRACE_SECONDS: "3",
    });

  before(async () => {
    port = await freePort();
    server = await start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses joins, tells everyone, exits 0, and everyone is back after the restart", async () => {
    const first = server;
    assert.ok(first);
    const room = await createRoom(first.url, { lobby: false });
    const en = await newPerson(browser, "en-US");
    const de = await newPerson(browser, "de-DE");
    await join(en, room.url, "Emma", { cam: true });
    await join(de, room.url, "Dieter", { cam: true });
    for (const person of [en, de]) await waitFor("video", () => decoding(person));
    const late = await SignallingClient.greeted(first.url);

    const exited = new Promise<number | null>((done) => first.child.once("exit", done));
    first.child.kill("SIGTERM");
    // Told, in each one's language.
    await en.page.getByText("The server is restarting").first().waitFor({ timeout: 10_000 });
    await de.page.getByText("Der Server startet neu").first().waitFor({ timeout: 10_000 });
    await assert.rejects(
      late.request({ type: "join", roomId: room.id, name: "Late" }),
      (e: unknown) => e instanceof RequestError && e.code === "shutting-down",
    );
    assert.equal(await exited, 0, "exit code 0");
    await late.close();
    // Still in the meeting (no "left" page), waiting for the server.
    await en.page.locator(".connection-banner").waitFor();
    assert.equal(await en.page.getByRole("button", { name: "Leave" }).count(), 1);

    server = await start();
    for (const person of [en, de])
      await waitFor("video after the restart", () => decoding(person), { timeoutMs: 30_000 });
    await waitFor(
      "the banner gone",
      async () => (await en.page.locator(".connection-banner").count()) === 0,
    );
    const tiles = await en.page.locator("figure.tile.person").count();
    assert.equal(tiles, 2, "Emma and Dieter, once each");
  });
});
