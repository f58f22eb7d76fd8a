import { execFileSync } from "node:child_process";
import type { AnyPage } from "./browsers";
import type { TestNetwork } from "./netns";
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
 * Fills the pre-join form (opening `url` unless the page is there already),
 * switches the chosen devices on (those that are not yet) and joins; with
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
  // Already there (e.g. after checking the pre-join page): stay, with the devices as they are.
  if (page.url() !== url) await page.goto(url);
  await page.fill(words.name, name);
  for (const [on, label] of [
    [devices.mic, words.mic],
    [devices.cam, words.cam],
  ] as const) {
    // Switched on only if it is not on already (a browser remembers the last choice).
    if (!on || (await page.evaluate(pressed, label))) continue;
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

/** Whether the page shows the meeting (its Leave button). */
export function inMeeting(page: AnyPage): Promise<boolean> {
  return page.evaluate(shown, page.words.leave);
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

/** The page's open peer connections' ICE: the remote ufrag of each, and how many were ever made. */
export function iceOf(page: AnyPage): Promise<{ made: number; remote: string[] }> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    return {
      made: pcs.length,
      remote: pcs
        .filter((pc) => pc.connectionState !== "closed")
        .map((pc) => /^a=ice-ufrag:(\S+)/m.exec(pc.remoteDescription?.sdp ?? "")?.[1] ?? ""),
    };
  }, undefined);
}

/**
 * Cuts one person's media path: drops, in the client namespace, every UDP
 * datagram to or from the local ports the page's peer connections use now
 * (the others in that namespace, and the signalling over TCP, carry on).
 * Returns the undo.
 */
export async function cutMediaPath(net: TestNetwork, page: AnyPage): Promise<() => void> {
  const ports = await page.evaluate(async () => {
    const found: number[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "local-candidate" && s.port) found.push(s.port);
      });
    }
    return found;
  }, undefined);
  if (ports.length === 0) throw new Error(`no local ICE candidate port in ${page.engine}`);
  const table = `plenum_cut_${process.pid}`;
  const nft = (script: string) =>
    execFileSync("ip", ["netns", "exec", net.clientNamespace, "nft", script]);
  const set = `{ ${[...new Set(ports)].join(", ")} }`;
  nft(
    `add table inet ${table}; ` +
      `add chain inet ${table} out { type filter hook output priority 0; }; ` +
      `add chain inet ${table} in { type filter hook input priority 0; }; ` +
      `add rule inet ${table} out udp sport ${set} drop; ` +
      `add rule inet ${table} in udp dport ${set} drop`,
  );
  let restored = false;
  return () => {
    if (!restored) nft(`delete table inet ${table}`);
    restored = true;
  };
}
