import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium";
import { join, newPerson } from "../test/support/people";
import { startServerProcess } from "../test/support/process";
import { createRoom } from "../test/support/server";
import { median } from "./stats";

function decoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let n = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs)
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") n += s.framesDecoded ?? 0;
      });
    return n;
  });
}

/** From pressing Join to the first decoded frame of the host's camera, in ms. */
async function once(browser: Browser, baseUrl: string, e2ee: boolean): Promise<number> {
  const room = await createRoom(baseUrl, { lobby: false, e2ee });
  const host = await newPerson(browser, "en-US");
  await join(host, room.url, "Host", { cam: true });
  const guest = await newPerson(browser, "en-US");
  await guest.page.goto(room.url);
  await guest.page.getByLabel("Your name").fill("Guest");
  const t0 = performance.now();
  await guest.page.getByRole("button", { name: "Join" }).click();
  while ((await decoded(guest.page)) === 0) {
    if (performance.now() - t0 > 30_000) throw new Error("no frame within 30 s");
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  await host.page.context().close();
  await guest.page.context().close();
  return ms;
}

/** Alternating on and off, so both see the same machine load. */
export async function joinToFirstFrame(rounds: number): Promise<{ on: number; off: number }> {
  const server = await startServerProcess();
  const browser = await launchChromium();
  const on: number[] = [];
  const off: number[] = [];
  try {
    await once(browser, server.url, true); // warm-up: caches, JIT
    for (let i = 0; i < rounds; i++) {
      off.push(await once(browser, server.url, false));
      on.push(await once(browser, server.url, true));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { on: median(on), off: median(off) };
}
