import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { loadConfig } from "../../src/server/config/config";
import { createLogger } from "../../src/server/observability/log";
import { type RunningServer, startServer } from "../../src/server/server";
import { launchChromium } from "../support/chromium";
import { createTestNetwork, type TestNetwork } from "../support/netns";
import { createMeeting, join, newPerson, type Person } from "../support/people";
import { figure } from "../support/profile";
import { waitFor } from "../support/wait";

/** What the subscriber's browser receives of the video and audio it is sent. */
interface Received {
  frameWidth: number;
  frameHeight: number;
  videoPackets: number;
  framesDecoded: number;
  audioPackets: number;
}

async function received(page: Page): Promise<Received> {
  return page.evaluate(async () => {
    const r = { frameWidth: 0, frameHeight: 0, videoPackets: 0, framesDecoded: 0, audioPackets: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "audio") r.audioPackets += s.packetsReceived ?? 0;
        if (s.kind !== "video") return;
        r.videoPackets += s.packetsReceived ?? 0;
        r.framesDecoded += s.framesDecoded ?? 0;
        if (s.frameWidth) {
          r.frameWidth = s.frameWidth;
          r.frameHeight = s.frameHeight;
        }
      });
    }
    return r;
  });
}

/** Waits until the subscriber decodes frames `width` wide, and they keep coming. */
async function receivesLayer(page: Page, width: number, timeoutMs: number): Promise<Received> {
  const got = await waitFor(
    `video ${width} pixels wide`,
    async () => {
      const r = await received(page);
      return r.frameWidth === width ? r : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return got;
}

/**
 * SPEC simulcast: a publisher in Chromium sends its 1280x720 fake camera as
 * three layers; a subscriber in Chromium on the far side of a veth pair
 * (whose downlink the test can cap) gets the layer its tile and its link need.
 */
describe("simulcast: each subscriber gets the layer its tile and its downlink need", () => {
  let net: TestNetwork | undefined;
  let server: RunningServer | undefined;
  let dataDir: string | undefined;
  const browsers: Browser[] = [];
  let alice: Person;
  let bob: Person;

  before(async () => {
    net = createTestNetwork();
    dataDir = await mkdtemp(joinPath(tmpdir(), "plenum-simulcast-"));
    const config = loadConfig({
      PLENUM_HOST: net.serverAddress,
      PLENUM_PORT: "0",
      PLENUM_DATA_DIR: dataDir,
      PLENUM_LOG_LEVEL: "silent",
    });
    server = await startServer(config, createLogger("silent"));
    // An http:// origin other than localhost is no secure context: no camera without this.
    const secure = `--unsafely-treat-insecure-origin-as-secure=${server.url}`;
    browsers.push(await launchChromium([secure]));
    browsers.push(await launchChromium([secure], net.chromiumExecutable()));
    const [publisherBrowser, subscriberBrowser] = browsers as [Browser, Browser];
    alice = await newPerson(publisherBrowser, "en-US");
    // Small to begin with: two tiles side by side in a narrow window.
    bob = await newPerson(subscriberBrowser, "en-US", { width: 480, height: 420 });
    const url = await createMeeting(alice, server.url);
    await join(alice, undefined, "Alice", { mic: true, cam: true });
    await join(bob, url, "Bob", {}, alice);
  });

  after(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await server?.close();
    net?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("sends a subscriber showing a small tile the low layer (320x180)", async () => {
    const r = await receivesLayer(bob.page, 320, 60_000);
    assert.equal(r.frameHeight, 180);
  });

  it("negotiates Opus with in-band FEC and DTX, and the camera as three layers", async () => {
    const answers = await alice.page.evaluate(() =>
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map(
        (pc) => pc.remoteDescription?.sdp ?? "",
      ),
    );
    const upstream = answers.find((sdp) => sdp.includes("a=simulcast:recv"));
    assert.ok(upstream, "the server's answer receives simulcast");
    assert.match(upstream, /a=simulcast:recv q;h;f/);
    assert.match(upstream, /a=fmtp:\d+ .*useinbandfec=1/);
    assert.match(upstream, /a=fmtp:\d+ .*usedtx=1/);
  });

  it("sends the high layer (1280x720) once the tile is large", async () => {
    await bob.page.setViewportSize({ width: 1600, height: 1000 });
    await bob.page.getByRole("button", { name: "Pin Alice" }).click();
    // Chromium enables its top layer once its own bandwidth estimate allows: generous.
    const r = await receivesLayer(bob.page, 1280, 60_000);
    assert.equal(r.frameHeight, 720);
  });

  it("stops video to a subscriber whose tiles are hidden (audio only), while audio goes on", async () => {
    const toggle = bob.page.getByRole("button", { name: "Audio only" });
    await toggle.click();
    let last = await received(bob.page);
    // Stopped: no video packet for a whole second (packets in flight may still arrive at first).
    const stopped = await waitFor(
      "video packets to stop",
      async () => {
        await new Promise((r) => setTimeout(r, 1000));
        const now = await received(bob.page);
        const still = now.videoPackets === last.videoPackets;
        last = now;
        return still ? now : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 0 },
    );
    const later = await waitFor("audio to keep arriving", async () => {
      const now = await received(bob.page);
      return now.audioPackets > stopped.audioPackets + 100 ? now : undefined;
    });
    assert.equal(later.videoPackets, stopped.videoPackets, "no video packet while hidden");
    await toggle.click();
    await waitFor("video to resume after audio-only ends", async () => {
      const now = await received(bob.page);
      return now.framesDecoded > later.framesDecoded + 10;
    });
  });

  it("moves a subscriber whose downlink is capped at 300 kbit/s to the lowest layer within 5 s, audio uninterrupted", async () => {
    await receivesLayer(bob.page, 1280, 60_000);
    // Audio packets counted every 100 ms from before the cap until well after the switch.
    const samples: { at: number; audio: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: Date.now(), audio: (await received(bob.page)).audioPackets });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const capped = Date.now();
    net?.impair("server", { rateKbit: 300 });
    try {
      await receivesLayer(bob.page, 320, 5_000);
      const took = Date.now() - capped;
      figure("simulcast: 300 kbit/s cap to lowest layer (ms)", took);
      assert.ok(took <= 5000, `the lowest layer arrived after ${took} ms`);
      // Two more seconds at the low layer: audio must keep flowing through the cap.
      await waitFor("two seconds more", () => Date.now() - capped > took + 2000, {
        timeoutMs: 10_000,
      });
      sampling = false;
      await sampler;
      let longestGap = 0;
      let since = samples[0]?.at ?? capped;
      for (let i = 1; i < samples.length; i++) {
        const s = samples[i];
        const prev = samples[i - 1];
        if (!s || !prev) continue;
        if (s.audio > prev.audio) since = s.at;
        longestGap = Math.max(longestGap, s.at - since);
      }
      figure("simulcast: longest audio gap under the cap (ms)", longestGap);
      assert.ok(longestGap < 1000, `audio stalled for ${longestGap} ms`);
    } finally {
      sampling = false;
      await sampler;
      net?.clear("server");
    }
  });

  it("suggests audio-only on a very weak downlink (100 kbit/s), and audio keeps flowing in it", async () => {
    net?.impair("server", { rateKbit: 100 });
    try {
      const suggestion = bob.page.getByRole("alert").filter({ hasText: "Your connection is weak" });
      await suggestion.waitFor({ timeout: 30_000 });
      await suggestion.getByRole("button", { name: "Switch to audio only" }).click();
      await bob.page.getByText("Audio only: you hear everyone").waitFor();
      assert.equal(
        await bob.page.getByRole("button", { name: "Audio only" }).getAttribute("aria-pressed"),
        "true",
      );
      const start = await received(bob.page);
      await waitFor("audio to keep arriving in audio-only mode", async () => {
        const now = await received(bob.page);
        return now.audioPackets > start.audioPackets + 100;
      });
    } finally {
      net?.clear("server");
    }
  });
});
