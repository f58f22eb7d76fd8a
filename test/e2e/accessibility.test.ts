import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { axeViolations } from "../support/axe";
import { launchChromium } from "../support/chromium";
import { createMeeting, join, type Locale, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { waitFor } from "../support/wait";

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(
    await axeViolations(page),
    [],
    `${what}: serious or critical accessibility violations`,
  );
}

for (const locale of ["en-US", "de-DE"] as const satisfies Locale[]) {
  describe(`accessibility and small screens (${locale})`, () => {
    let server: ServerProcess;
    let browser: Browser;
    let host: Person;
    let guest: Person;
    let url: string;

    before(async () => {
      server = await startServerProcess();
      browser = await launchChromium();
      host = await newPerson(browser, locale);
      guest = await newPerson(browser, locale, { width: 360, height: 740 });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it("start page: no serious or critical axe violations", async () => {
      await host.page.goto(server.url);
      await host.page.getByRole("button", { name: host.words.newMeeting }).waitFor();
      await assertAccessible(host.page, "start page");
    });

    it("pre-join, with devices on: no serious or critical axe violations", async () => {
      url = await createMeeting(host, server.url);
      await assertAccessible(host.page, "pre-join");
      await host.page.getByRole("button", { name: host.words.mic, exact: true }).click();
      await host.page.getByRole("button", { name: host.words.cam, exact: true }).click();
      await host.page.locator("select").first().waitFor();
      await assertAccessible(host.page, "pre-join with devices on");
    });

    it("meeting view, with chat, participants and devices: no serious or critical axe violations", async () => {
      await join(host, undefined, "Host");
      await join(guest, url, "Guest", { cam: true }, host);
      await waitFor(
        "two tiles",
        async () => (await host.page.locator("figure.tile.person").count()) === 2,
      );
      await host.page.getByRole("button", { name: host.words.hand }).click();
      await assertAccessible(host.page, "meeting, grid");
      await host.page.getByRole("button", { name: host.words.chat }).click();
      await host.page.getByLabel(host.words.message).fill("Hallo <b>alle</b>");
      await host.page.getByRole("button", { name: host.words.send }).click();
      await host.page.locator(".messages li").waitFor();
      await assertAccessible(host.page, "meeting, chat open");
      await host.page.getByRole("button", { name: /^(Participants|Teilnehmende)/ }).click();
      await assertAccessible(host.page, "meeting, participant list");
      await host.page.getByRole("button", { name: host.words.speaker, exact: true }).click();
      await host.page.getByRole("button", { name: host.words.devices }).click();
      await assertAccessible(host.page, "meeting, speaker view and devices");
      await assertAccessible(guest.page, "meeting on a 360 px phone");
    });

    it("fits a 360 px wide phone without sideways scrolling", async () => {
      const overflow = () =>
        guest.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok((await overflow()) <= 0, "meeting fits");
      await guest.page.getByRole("button", { name: guest.words.chat }).click();
      assert.ok((await overflow()) <= 0, "meeting with chat fits");
    });

    it("can be operated by keyboard, with a visible focus", async () => {
      const page = host.page;
      await page.locator("body").click({ position: { x: 1, y: 1 } });
      const seen = new Set<string>();
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press("Tab");
        const focus = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return undefined;
          const style = getComputedStyle(el);
          return {
            name: el.textContent?.trim() || el.getAttribute("aria-label") || el.id,
            outline: style.outlineStyle,
          };
        });
        if (!focus) continue;
        assert.notEqual(focus.outline, "none", `focus on "${focus.name}" is visible`);
        seen.add(focus.name);
      }
      for (const name of [host.words.mic, host.words.cam, host.words.leave]) {
        assert.ok(
          [...seen].some((s) => s.includes(name)),
          `${name} is reachable by Tab`,
        );
      }
    });
  });
}
