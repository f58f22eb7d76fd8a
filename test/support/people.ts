import type { Browser, Page } from "playwright-core";
import { personContext } from "./chromium";
import { waitFor } from "./wait";

/** The UI's words for what tests click, in each language (as the catalogue has them). */
export const WORDS = {
  "en-US": {
    newMeeting: "New meeting",
    name: "Your name",
    mic: "Microphone",
    cam: "Camera",
    join: "Join",
    leave: "Leave",
    chat: "Chat",
    message: "Message to everyone",
    send: "Send",
    share: "Share screen",
    stopShare: "Stop sharing",
    hand: "Raise hand",
    speaker: "Speaker",
    grid: "Grid",
    devices: "Devices",
    wait: "Please wait",
    admit: "Admit",
  },
  "de-DE": {
    newMeeting: "Neues Meeting",
    name: "Ihr Name",
    mic: "Mikrofon",
    cam: "Kamera",
    join: "Beitreten",
    leave: "Verlassen",
    chat: "Chat",
    message: "Nachricht an alle",
    send: "Senden",
    share: "Bildschirm teilen",
    stopShare: "Freigabe beenden",
    hand: "Hand heben",
    speaker: "Sprecher",
    grid: "Raster",
    devices: "Geräte",
    wait: "Bitte warten",
    admit: "Hereinlassen",
  },
} as const;

export type Locale = keyof typeof WORDS;

export interface Person {
  page: Page;
  locale: Locale;
  words: (typeof WORDS)[Locale];
}

export async function newPerson(
  browser: Browser,
  locale: Locale,
  viewport?: { width: number; height: number },
): Promise<Person> {
  const context = await personContext(browser, locale);
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  return { page, locale, words: WORDS[locale] };
}

/** Creates a meeting from the start page; returns the room link (without the moderator secret). */
export async function createMeeting(person: Person, serverUrl: string): Promise<string> {
  await person.page.goto(serverUrl);
  await person.page.getByRole("button", { name: person.words.newMeeting }).click();
  await person.page.waitForURL(/\/r\/[A-Za-z0-9_-]{22,}$/);
  return person.page.url();
}

/**
 * Fills the pre-join form, switches the chosen devices on and joins; with
 * `admittedBy`, waits in the lobby until that moderator lets them in.
 */
export async function join(
  person: Person,
  url: string | undefined,
  name: string,
  devices: { mic?: boolean; cam?: boolean } = {},
  admittedBy?: Person,
): Promise<void> {
  const { page, words } = person;
  if (url) await page.goto(url);
  await page.getByLabel(words.name).fill(name);
  for (const [on, label] of [
    [devices.mic, words.mic],
    [devices.cam, words.cam],
  ] as const) {
    if (!on) continue;
    const button = page.getByRole("button", { name: label, exact: true });
    await button.click();
    await waitFor(`${name}'s ${label} to be on`, async () => {
      return (await button.getAttribute("aria-pressed")) === "true";
    });
  }
  await page.getByRole("button", { name: words.join }).click();
  if (admittedBy) {
    await page.getByRole("heading", { name: words.wait }).waitFor({ timeout: 30_000 });
    await admittedBy.page
      .getByRole("button", { name: `${admittedBy.words.admit} ${name}` })
      .click({ timeout: 30_000 });
  }
  await page.getByRole("button", { name: words.leave }).waitFor({ timeout: 30_000 });
}

/** Waits until `person` sees the video of the tile matching `selector` playing. */
export async function seesVideo(person: Person, selector: string, what: string): Promise<void> {
  const video = person.page.locator(`${selector} video`).first();
  await waitFor(
    `${what} to play`,
    () => video.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && v.currentTime > 0),
    { timeoutMs: 45_000 },
  );
}
