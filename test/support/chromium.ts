import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { QUIET_CHROMIUM_ARGS } from "../../src/server/compliance/probes/browser";
import { recordPage } from "./probes";

export const CHROMIUM_PATH = process.env.PLENUM_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The audit's flags for a quiet, self-contained Chromium (fake camera and
 * microphone granted without a prompt, none of the background services that
 * would phone home), and autoplay, since no person clicks in a test.
 */
const ARGS = [...QUIET_CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"];

/**
 * `extraArgs` add flags, or replace a default flag of the same name.
 * `executablePath` runs another launcher, e.g. netns.ts's wrapper that starts
 * Chromium inside a test network's client namespace.
 */
export async function launchChromium(
  extraArgs: string[] = [],
  executablePath = CHROMIUM_PATH,
): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install it: apt-get install -y chromium`,
    );
  }
  const name = (flag: string) => flag.split("=")[0];
  const args = [...ARGS.filter((a) => !extraArgs.some((e) => name(e) === name(a))), ...extraArgs];
  return chromium.launch({ executablePath, headless: true, args });
}

/**
 * A browser context standing for one person, with a browser language, and the
 * test's probes in every page (./probes.ts).
 */
export async function personContext(
  browser: Browser,
  locale: "en-US" | "de-DE",
): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1000, height: 700 } });
  await context.addInitScript(recordPage);
  return context;
}
