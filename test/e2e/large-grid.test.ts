import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium } from "../support/chromium";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom, SignallingClient } from "../support/social-client";
import { waitFor } from "../support/wait";

/**
 * 25 tiles: one browser and 24 participants that only speak signalling (no
 * media, so their tiles show initials). Enough to see the grid adapt without
 * 25 browsers on a 2-core machine.
 */
describe("the grid with 25 participants", () => {
  let server: ServerProcess;
  let browser: Browser;
  let desktop: Person;
  let phone: Person;
  const others: SignallingClient[] = [];

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const room = await createRoom(server.url);
    for (let i = 1; i <= 23; i++) {
      const client = await SignallingClient.connect(server.url);
      await client.request({ type: "join", roomId: room.id, name: `Person ${i}` });
      others.push(client);
    }
    desktop = await newPerson(browser, "en-US", { width: 1000, height: 700 });
    phone = await newPerson(browser, "de-DE", { width: 360, height: 740 });
    await join(desktop, room.url, "Desk");
    await join(phone, room.url, "Phone");
  });

  after(async () => {
    for (const c of others) c.close();
    await browser?.close();
    await server?.close();
  });

  it("shows 25 tiles in five columns, all within the window on a desktop", async () => {
    const page = desktop.page;
    await waitFor("25 tiles", async () => (await page.locator("figure.tile").count()) === 25);
    assert.equal(await page.locator(".stage.grid").getAttribute("data-cols"), "5");
    const boxes = await page
      .locator("figure.tile")
      .evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().toJSON() as DOMRect));
    for (const box of boxes) {
      assert.ok(box.width > 100 && box.height > 50, "tiles are big enough to see");
      assert.ok(box.bottom <= 700 && box.right <= 1000, "no tile is outside the window");
    }
  });

  it("shows two columns that scroll on a 360 px phone, without sideways scrolling", async () => {
    const page = phone.page;
    await waitFor("25 tiles", async () => (await page.locator("figure.tile").count()) === 25);
    const columns = await page
      .locator(".stage.grid")
      .evaluate((grid) => getComputedStyle(grid).gridTemplateColumns.split(" ").length);
    assert.equal(columns, 2);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `no sideways scrolling (overflow ${overflow} px)`);
    await page.getByRole("button", { name: "Verlassen" }).scrollIntoViewIfNeeded();
  });

  it("shows the speaker view with the others in a strip", async () => {
    const page = desktop.page;
    await page.getByRole("button", { name: "Speaker", exact: true }).click();
    assert.equal(await page.locator(".main-tile figure.tile").count(), 1);
    assert.equal(await page.locator(".strip figure.tile").count(), 24);
    await page.locator(".strip figure.tile", { hasText: "Desk (You)" }).waitFor();
    await page.getByRole("button", { name: "Pin Person 7" }).click();
    await page.locator(".main-tile figure.tile", { hasText: "Person 7" }).waitFor();
    assert.equal(
      await page.getByRole("button", { name: "Pin Person 7" }).getAttribute("aria-pressed"),
      "true",
    );
    await page.getByRole("checkbox", { name: "Hide my own view" }).check();
    await waitFor(
      "own tile hidden",
      async () => (await page.locator("figure.tile.self").count()) === 0,
    );
  });
});
