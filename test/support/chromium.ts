import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { QUIET_CHROMIUM_ARGS } from "../../src/server/compliance/probes/browser";

export const CHROMIUM_PATH = process.env.PLENUM_CHROMIUM ?? "/usr/bin/chromium";

/**
 * The audit's flags for a quiet, self-contained Chromium (fake camera and
 * microphone granted without a prompt, none of the background services that
 * would phone home), and autoplay, since no person clicks in a test.
 */
const ARGS = [...QUIET_CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"];

/**
 * `extraArgs` add flags, or replace a default flag of the same name.
 * `executablePath` runs Chromium through a wrapper (e.g. inside a network namespace).
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
 * A browser context standing for one person, with a browser language. An init
 * script records every RTCPeerConnection the page makes (so tests can read
 * `getStats()` as the person's browser sees it) and counts getUserMedia calls;
 * the product code is untouched.
 */
export async function personContext(
  browser: Browser,
  locale: "en-US" | "de-DE",
): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1000, height: 700 } });
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const all: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = all;
    const w = window as unknown as { __gum: number };
    w.__gum = 0;
    // Anything the CSP refuses (an eval, a foreign origin) is a bug, or an attack that got far.
    const refused: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = refused;
    document.addEventListener("securitypolicyviolation", (e) =>
      refused.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
    const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) => {
      w.__gum++;
      return getUserMedia(constraints);
    };
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        all.push(this);
      }
    };
  });
  return context;
}
