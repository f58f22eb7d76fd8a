import type { AnyPage } from "./browsers";
import { waitFor } from "./wait";

/** Whether the button named `name` exists and is pressed (aria-pressed). */
function pressed(name: string): boolean {
  return [...document.querySelectorAll("button")].some(
    (b) =>
      (b.getAttribute("aria-label") ?? b.textContent ?? "").trim() === name &&
      b.getAttribute("aria-pressed") === "true",
  );
}

/** Whether a heading or button reading `text` is shown. */
function shown(text: string): boolean {
  return [...document.querySelectorAll("h1, h2, h3, button")].some(
    (e) =>
      e.getClientRects().length > 0 &&
      ((e.getAttribute("aria-label") ?? "").includes(text) || (e.textContent ?? "").includes(text)),
  );
}

/**
 * Fills the pre-join form, switches the chosen devices on and joins; with
 * `admittedBy`, waits in the lobby until that moderator lets them in.
 */
export async function joinAs(
  page: AnyPage,
  url: string,
  name: string,
  devices: { mic?: boolean; cam?: boolean } = {},
  admittedBy?: AnyPage,
): Promise<void> {
  const { words } = page;
  await page.goto(url);
  await page.fill(words.name, name);
  for (const [on, label] of [
    [devices.mic, words.mic],
    [devices.cam, words.cam],
  ] as const) {
    if (!on) continue;
    await page.click(label);
    await waitFor(`${name}'s ${label} on (${page.engine})`, () => page.evaluate(pressed, label));
  }
  await page.click(words.join);
  if (admittedBy) {
    await waitFor(`${name} in the lobby`, () => page.evaluate(shown, words.wait));
    await admittedBy.click(`${admittedBy.words.admit} ${name}`);
  }
  await waitFor(`${name} in the meeting (${page.engine})`, () => page.evaluate(shown, words.leave));
}

/** Frames decoded and audio packets received, over all the page's open peer connections. */
export function inbound(page: AnyPage): Promise<{ frames: number; audio: number; width: number }> {
  return page.evaluate(async () => {
    let frames = 0;
    let audio = 0;
    let width = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video") {
          frames += s.framesDecoded ?? 0;
          width = Math.max(width, s.frameWidth ?? 0);
        }
        if (s.kind === "audio") audio += s.packetsReceived ?? 0;
      });
    }
    return { frames, audio, width };
  }, undefined);
}

/** Waits until `page` keeps decoding video (and, with `audio`, receiving audio). */
export async function decodes(page: AnyPage, what: string, audio = true): Promise<void> {
  let last = await inbound(page);
  let rising = 0;
  try {
    await waitFor(
      `${what} (${page.engine})`,
      async () => {
        const now = await inbound(page);
        const more = now.frames > last.frames + 5 && (!audio || now.audio > last.audio + 5);
        rising = more ? rising + 1 : 0;
        last = now;
        return rising >= 3;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  } catch (error) {
    const { states } = await connections(page);
    const video = await page.evaluate(async () => {
      const out: Record<string, unknown>[] = [];
      for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs)
        (await pc.getStats()).forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "video")
            out.push({
              received: s.framesReceived,
              decoded: s.framesDecoded,
              dropped: s.framesDropped,
              keyFrames: s.keyFramesDecoded,
              pli: s.pliCount,
              packets: s.packetsReceived,
              width: s.frameWidth,
            });
        });
      return out;
    }, undefined);
    throw new Error(
      `${(error as Error).message}; received ${JSON.stringify(last)}, connections: ${states}, video: ${JSON.stringify(video)}`,
    );
  }
}

/** The safety number the page shows, once it shows one. */
export function safetyNumber(page: AnyPage): Promise<string> {
  return waitFor(`a safety number (${page.engine})`, () =>
    page.evaluate(
      () => document.querySelector("output.safety-number")?.textContent?.trim(),
      undefined,
    ),
  );
}

/** How many peer connections the page ever made, and their states. */
export function connections(page: AnyPage): Promise<{ made: number; states: string[] }> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    return { made: pcs.length, states: pcs.map((pc) => pc.connectionState) };
  }, undefined);
}
