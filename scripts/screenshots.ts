/**
 * `npm run screenshots`: starts a real server and real Chromium (fake camera
 * and microphone), holds a meeting of four, and writes screenshots of the
 * pre-join page, the grid, the speaker view, a screen share and the chat, in
 * English and German, to docs/screenshots/.
 */
import { mkdirSync } from "node:fs";
import { join as joinPath, resolve } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium";
import { createMeeting, join, type Locale, newPerson, seesVideo } from "../test/support/people";
import { startServerProcess } from "../test/support/process";
import { waitFor } from "../test/support/wait";

const OUT = resolve(import.meta.dirname, "../docs/screenshots");
const VIEWPORT = { width: 1000, height: 700 };

/** Every picture on the page has drawn new frames since now (a re-laid-out video starts black). */
async function freshFrames(page: Page): Promise<void> {
  const count = () =>
    page.evaluate(() =>
      [...document.querySelectorAll("video")]
        // Only pictures that are shown: a camera that is off sends no frames.
        .filter((v) => v.srcObject && v.closest("figure")?.dataset.camera !== "off")
        .map((v) => v.getVideoPlaybackQuality().totalVideoFrames),
    );
  const before = await count();
  await waitFor("fresh frames", async () => {
    const now = await count();
    return now.length === before.length && now.every((n, i) => n >= (before[i] ?? 0) + 5);
  });
}

async function shoot(page: Page, name: string): Promise<void> {
  await freshFrames(page);
  // Focus rings and hover states of the last click would show in the picture.
  await page.mouse.move(0, 0);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: joinPath(OUT, `${name}.png`) });
  console.log(`wrote docs/screenshots/${name}.png`);
}

async function session(
  locale: Locale,
  serverUrl: string,
  browser: Awaited<ReturnType<typeof launchChromium>>,
) {
  const lang = locale === "de-DE" ? "de" : "en";
  const names =
    lang === "de" ? ["Anna", "Jonas", "Leonie", "Murat"] : ["Alice", "Bob", "Carol", "Dave"];
  const host = await newPerson(browser, locale, VIEWPORT);
  const url = await createMeeting(host, serverUrl);
  await host.page.getByLabel(host.words.name).fill(names[0] ?? "");
  await host.page.getByRole("button", { name: host.words.cam, exact: true }).click();
  await host.page.getByRole("button", { name: host.words.mic, exact: true }).click();
  await host.page.locator(".preview video").waitFor();
  await host.page.locator("meter").waitFor();
  await shoot(host.page, `${lang}-prejoin`);
  await host.page.getByRole("button", { name: host.words.join }).click();
  await host.page.getByRole("button", { name: host.words.leave }).waitFor();
  const others = [];
  for (const name of names.slice(1)) {
    const person = await newPerson(browser, locale, VIEWPORT);
    await join(person, url, name, { mic: true, cam: name !== names[3] }, host);
    others.push(person);
  }
  await waitFor("four tiles", async () => (await host.page.locator(".tile.remote").count()) === 3);
  for (const name of names.slice(1, 3))
    await seesVideo(host, `.tile.remote:has-text("${name}")`, name);
  await others[1]?.page.keyboard.press("h");
  await waitFor("a raised hand", () => host.page.locator(".indicator.hand").count());
  await shoot(host.page, `${lang}-grid`);

  await host.page.getByRole("button", { name: host.words.speaker, exact: true }).click();
  await shoot(host.page, `${lang}-speaker`);

  const sharer = others[0];
  if (sharer) {
    await sharer.page.getByRole("button", { name: sharer.words.share }).click();
    await seesVideo(host, ".tile.screen", "the shared screen");
    await shoot(host.page, `${lang}-screenshare`);
    await sharer.page.getByRole("button", { name: sharer.words.stopShare }).click();
  }

  await host.page.getByRole("button", { name: host.words.grid, exact: true }).click();
  for (const [i, person] of others.slice(0, 2).entries()) {
    await person.page.getByRole("button", { name: person.words.chat }).click();
    await person.page
      .getByLabel(person.words.message)
      .fill(
        lang === "de"
          ? (["Guten Morgen! Die Folien sind im Wiki.", "Danke, ich sehe sie."][i] ?? "")
          : (["Good morning! The slides are on the wiki.", "Thanks, I can see them."][i] ?? ""),
      );
    await person.page.getByRole("button", { name: person.words.send }).click();
  }
  await host.page.getByRole("button", { name: host.words.chat }).click();
  await waitFor(
    "two chat messages",
    async () => (await host.page.locator(".messages li").count()) === 2,
  );
  await shoot(host.page, `${lang}-chat`);
  await Promise.all([host, ...others].map((p) => p.page.context().close()));
}

mkdirSync(OUT, { recursive: true });
const server = await startServerProcess();
const browser = await launchChromium();
try {
  await session("en-US", server.url, browser);
  await session("de-DE", server.url, browser);
} finally {
  await browser.close();
  await server.close();
}
