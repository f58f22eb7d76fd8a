import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Finding } from "../criteria";

/**
 * Chromium flags: fake devices granted without a prompt, and none of the
 * browser's own background services, so that every request seen is the
 * page's. The test suite's browser starts with the same flags.
 */
export const QUIET_CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];

/** Per step; generous because a loaded server may take seconds to answer. */
const DEADLINE_MS = 30_000;

export interface BrowserObservation {
  /** Every URL the pages requested or opened a WebSocket to. */
  urls: string[];
  /** URLs the CSP refused: an attempt to reach elsewhere, even if blocked. */
  blocked: string[];
  privacyLinkOnPreJoin: boolean;
  privacyLinkInLobby: boolean | "no lobby";
  capturesBeforeAction: number;
  roomIdLength: number;
  /** Where the scripted call stopped, if it did not complete. */
  failure: string | undefined;
}

export type Progress = (step: string) => void;

/**
 * Visits the deployment as two people would: start page, new meeting,
 * pre-join, join; a guest knocks, is let in, and both stay in the call for a
 * moment. Every request and WebSocket of both is recorded.
 */
export async function observeInBrowser(
  url: string,
  executablePath: string,
  progress: Progress = () => undefined,
  /** Tests of pages that are not the client shorten it: there is no button to wait for. */
  deadlineMs = DEADLINE_MS,
): Promise<BrowserObservation> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: QUIET_CHROMIUM_ARGS,
  });
  const seen: BrowserObservation = {
    urls: [],
    blocked: [],
    privacyLinkOnPreJoin: false,
    privacyLinkInLobby: "no lobby",
    capturesBeforeAction: -1,
    roomIdLength: 0,
    failure: undefined,
  };
  try {
    const host = await person(browser, seen);
    const guest = await person(browser, seen);
    await scriptedCall(url, host, guest, seen, progress, deadlineMs);
  } catch (error) {
    seen.failure = (error as Error).message.split("\n")[0];
  } finally {
    await browser.close();
  }
  return seen;
}

async function person(browser: Browser, seen: BrowserObservation): Promise<Page> {
  const context: BrowserContext = await browser.newContext({ locale: "en-US" });
  context.on("request", (r) => seen.urls.push(r.url()));
  await context.exposeBinding("__plenumBlocked", (_source, uri: string) => seen.blocked.push(uri));
  await context.addInitScript(() => {
    const w = window as unknown as { __gum: number; __plenumBlocked: (u: string) => void };
    w.__gum = 0;
    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (c) => {
      w.__gum++;
      return gum(c);
    };
    document.addEventListener("securitypolicyviolation", (e) => w.__plenumBlocked(e.blockedURI));
  });
  const page = await context.newPage();
  page.on("websocket", (ws) => seen.urls.push(ws.url()));
  return page;
}

async function scriptedCall(
  url: string,
  host: Page,
  guest: Page,
  seen: BrowserObservation,
  progress: Progress,
  deadlineMs: number,
): Promise<void> {
  const opts = { timeout: deadlineMs };
  progress("start page");
  await host.goto(url, opts);
  await host.getByRole("button", { name: "New meeting" }).click(opts);
  await host.waitForURL(/\/r\/[A-Za-z0-9_-]{22,}$/, opts);
  const roomUrl = host.url();
  seen.roomIdLength = new URL(roomUrl).pathname.split("/").pop()?.length ?? 0;
  progress("pre-join");
  await host.getByLabel("Your name").waitFor(opts);
  seen.privacyLinkOnPreJoin = (await host.locator('a[href^="/privacy"]').count()) > 0;
  seen.capturesBeforeAction = await host.evaluate(
    () => (window as unknown as { __gum: number }).__gum,
  );
  await host.getByLabel("Your name").fill("Audit host");
  await host.getByRole("button", { name: "Join" }).click(opts);
  await host.getByRole("button", { name: "Leave" }).waitFor(opts);
  progress("second participant");
  await guest.goto(roomUrl, opts);
  await guest.getByLabel("Your name").fill("Audit guest");
  await guest.getByRole("button", { name: "Microphone" }).click(opts);
  await guest.getByRole("button", { name: "Camera" }).click(opts);
  await guest.getByRole("button", { name: "Join" }).click(opts);
  const waiting = guest.getByRole("heading", { name: "Please wait" });
  const inCall = guest.getByRole("button", { name: "Leave" });
  await waiting.or(inCall).first().waitFor(opts);
  if (await waiting.isVisible()) {
    seen.privacyLinkInLobby = (await guest.locator('a[href^="/privacy"]').count()) > 0;
    await host.getByRole("button", { name: "Admit Audit guest" }).click(opts);
  }
  await inCall.waitFor(opts);
  progress("call");
  // Both sides see each other's tile: media and signalling have flowed.
  await host.locator("figure.tile.remote", { hasText: "Audit guest" }).waitFor(opts);
  await guest.getByRole("button", { name: "Leave" }).click(opts);
  await host.getByRole("button", { name: "Leave" }).click(opts);
}

/**
 * Every network URL whose origin is not the deployment's. data:, blob: and
 * the CSP's non-URL reports ("inline", "eval") name no other host.
 */
export function foreignUrls(urls: string[], base: string): string[] {
  const own = new URL(base);
  const wsOwn = `${own.protocol === "https:" ? "wss:" : "ws:"}//${own.host}`;
  return [
    ...new Set(
      urls.filter((u) => {
        if (!URL.canParse(u)) return false;
        const parsed = new URL(u);
        if (!/^(https?|wss?):$/.test(parsed.protocol)) return false;
        return parsed.origin !== own.origin && `${parsed.protocol}//${parsed.host}` !== wsOwn;
      }),
    ),
  ];
}

export function browserFindings(seen: BrowserObservation, base: string): Finding[] {
  const foreign = foreignUrls([...seen.urls, ...seen.blocked], base);
  const inventory = `browser: ${seen.urls.length} requests and WebSockets, ${seen.blocked.length} refused by the CSP`;
  // "eval" or "inline" refusals name no host; listed so a reader sees them.
  const kinds = [...new Set(seen.blocked.filter((b) => !URL.canParse(b)))];
  const evidence = [
    inventory,
    ...(kinds.length > 0 ? [`refused by the CSP, no host involved: ${kinds.join(", ")}`] : []),
    ...foreign.map((u) => `foreign: ${u}`),
  ];
  const clean = foreign.length === 0;
  const out: Finding[] = [
    {
      id: "L4",
      status: clean ? "green" : "red",
      reason: clean
        ? "the browser contacted only the deployment's own origin"
        : `the page reached or tried to reach ${foreign.length} other origin(s)`,
      evidence,
    },
    {
      id: "L3",
      status: clean ? "green" : "red",
      reason: clean
        ? "no request from the browser left the deployment"
        : "the browser contacted other hosts",
      evidence: [inventory],
    },
  ];
  if (seen.failure) {
    out.push(
      ...(["L6", "T8"] as const).map((id) => ({
        id,
        status: "yellow" as const,
        reason: `the scripted call did not complete: ${seen.failure}`,
        evidence: [inventory],
      })),
    );
    return out;
  }
  const lobbyOk = seen.privacyLinkInLobby !== false;
  out.push(
    {
      id: "L6",
      status: seen.privacyLinkOnPreJoin && lobbyOk ? "green" : "red",
      reason:
        seen.privacyLinkOnPreJoin && lobbyOk
          ? "the privacy notice is linked on the pre-join and lobby pages"
          : "the privacy notice link is missing before joining",
      evidence: [
        `pre-join link: ${seen.privacyLinkOnPreJoin}`,
        `lobby link: ${seen.privacyLinkInLobby}`,
      ],
    },
    {
      id: "T8",
      status: seen.capturesBeforeAction === 0 ? "green" : "red",
      reason:
        seen.capturesBeforeAction === 0
          ? "camera and microphone stay off until the person switches them on"
          : "the page captured media before the person acted",
      evidence: [`getUserMedia calls before any action: ${seen.capturesBeforeAction}`],
    },
    {
      id: "T4",
      status: seen.roomIdLength >= 22 ? "green" : "red",
      reason: seen.roomIdLength >= 22 ? "room ids carry at least 128 bits" : "room id too short",
      evidence: [`room id length: ${seen.roomIdLength} base64url characters`],
    },
  );
  return out;
}
