import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { readHeader, splitKeyId } from "../../src/client/sdk/e2ee/sframe";
import { launchChromium } from "../support/chromium";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { chiSquare, isVp8KeyFrame, Vp8Frames } from "../support/vp8-frames";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

/** Video frames decoded on a page, over all its peer connections (getStats). */
function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let n = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") n += s.framesDecoded ?? 0;
      });
    }
    return n;
  });
}

/** Per remote video track: frames decoded, and audio packets received in all. */
function perTrack(page: Page): Promise<{ video: number[]; audio: number }> {
  return page.evaluate(async () => {
    const video: number[] = [];
    let audio = 0;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "video") video.push(s.framesDecoded ?? 0);
        // Energy, not samples: concealment fills silence when frames are dropped, a beep is heard.
        else audio += s.totalAudioEnergy ?? 0;
      });
    }
    return { video, audio };
  });
}

/** Each of `others` is seen: that many remote video tracks decode frames, and audio plays. */
async function seesEveryone(person: Person, others: number): Promise<void> {
  const first = await perTrack(person.page);
  await waitFor(
    `${others} remote videos to decode and audio to play`,
    async () => {
      const now = await perTrack(person.page);
      const rising = now.video.filter((n, i) => n > (first.video[i] ?? 0) + 5).length;
      return rising >= others && now.audio > first.audio;
    },
    { timeoutMs: 45_000 },
  );
}

/** Records the longest gap between presented frames of `name`'s video (requestVideoFrameCallback). */
async function watchPresentedFrames(page: Page, name: string): Promise<void> {
  const video = page.locator("figure.tile.remote", { hasText: name }).locator("video");
  await video.waitFor();
  const handle = await video.elementHandle();
  // A string, not a function: the test's transpiler would wrap a named inner function in a
  // helper (`__name`) that does not exist in the page.
  await page.evaluate(
    `(v => {
      window.__worstGap = 0;
      let last = performance.now();
      const tick = (now) => {
        window.__worstGap = Math.max(window.__worstGap, now - last);
        last = now;
        v.requestVideoFrameCallback(tick);
      };
      v.requestVideoFrameCallback(tick);
    })(document.querySelectorAll("video")[${await handle?.evaluate((v) => [...document.querySelectorAll("video")].indexOf(v as HTMLVideoElement))}])`,
  );
}

function safetyNumber(person: Person): Promise<string> {
  return person.page
    .locator("output.safety-number")
    .textContent({ timeout: 30_000 })
    .then((text) => text ?? "");
}

describe("an end-to-end encrypted meeting in Chromium", () => {
  let server: ServerProcess;
  let browser: Browser;
  let tap: WeriftClient;
  const people: Person[] = [];
  let roomUrl: string;
  const frames = new Map<string, Vp8Frames>();

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const room = await createRoom(server.url, { lobby: false });
    roomUrl = room.url;
    // The tap is in the meeting but never sends a KeyPackage: nobody's MLS group includes it.
    tap = await WeriftClient.connect(server.url, "Tap");
    await tap.join(room.id);
    tap.taps.add((mid, packet) => {
      if (!tap.tracks.some((t) => t.mid === mid && t.kind === "video")) return;
      const f = frames.get(mid) ?? new Vp8Frames();
      frames.set(mid, f);
      f.push(packet.payload, packet.marker, packet.sequenceNumber);
    });
  });

  after(async () => {
    await tap?.close();
    await browser?.close();
    await server?.close();
  });

  it("three people see and hear each other, and their safety numbers match", async () => {
    for (const name of ["Ada", "Ben", "Cem"]) {
      const person = await newPerson(browser, "en-US");
      await join(person, roomUrl, name, { mic: true, cam: true });
      people.push(person);
    }
    for (const p of people) await seesEveryone(p, 2);
    await waitFor("all three to show the same safety number", async () => {
      const numbers = await Promise.all(people.map(safetyNumber));
      return numbers.every((n) => n === numbers[0]) && /^(\d{4} ){4}\d{4}$/.test(numbers[0] ?? "");
    });
    assert.equal(await people[0]?.page.getByText("End-to-end encrypted").count(), 1);
  });

  it("the SFU forwards ciphertext: SFrame after the clear VP8 bytes, random by chi-square", async () => {
    await waitFor("the tap to capture 40 video frames", () =>
      [...frames.values()].some((f) => f.frames.length >= 40),
    );
    const captured = [...frames.values()].flatMap((f) => f.frames);
    const body: number[] = [];
    for (const frame of captured) {
      const clear = (frame[0] ?? 1) & 0x01 ? 3 : 10;
      const header = readHeader(frame, clear);
      assert.ok(header, "every frame carries an SFrame header after its clear bytes");
      assert.ok(splitKeyId(header.kid).senderIndex < 8, "key id names a member's leaf");
      body.push(...frame.subarray(header.headerEnd));
      if (clear === 10) assert.notEqual(frame.subarray(10, 13).toString("hex"), "9d012a");
    }
    // 255 degrees of freedom: 330 is the 99.9% point; VP8 data in clear scores far higher.
    const chi = chiSquare(Uint8Array.from(body));
    assert.ok(chi < 330, `chi-square ${chi.toFixed(0)} over ${body.length} bytes`);
  });

  // 5 s, the time printed for the record (2.2–3.2 s on a quiet machine, under 2 s before the
  // membership checks; issue 17): traced, the joiner's wait is mostly the media connection
  // (offer, answer, ICE/DTLS), which a loaded machine stretches; of the E2EE steps only the
  // worker's start-up is large (bench/RESULTS.md).
  it("a fourth person decodes within 5 s of admission; one leaves and nobody's video stops", async (t) => {
    const dora = await newPerson(browser, "en-US");
    await dora.page.goto(roomUrl);
    await dora.page.getByLabel("Your name").fill("Dora");
    await dora.page.getByRole("button", { name: "Join" }).click();
    await dora.page.getByRole("button", { name: "Leave" }).waitFor({ timeout: 30_000 });
    const admitted = Date.now();
    await waitFor("Dora to decode video", async () => (await framesDecoded(dora.page)) > 0, {
      timeoutMs: 30_000,
    });
    const took = Date.now() - admitted;
    t.diagnostic(`Dora decoded her first frame ${took} ms after admission`);
    assert.ok(took <= 5000, `Dora decoded her first frame ${took} ms after admission`);
    people.push(dora);

    // Ben and Dora watch Ada's video while Cem leaves (a Remove and a new epoch): every
    // frame presented is timed in the page, so a freeze shows as a long gap.
    const watchers = [people[1], dora] as Person[];
    for (const w of watchers) await watchPresentedFrames(w.page, "Ada");
    const before = await safetyNumber(people[0] as Person);
    await people[2]?.page.getByRole("button", { name: "Leave" }).click();
    await waitFor("the safety number to change after the Remove", async () => {
      const now = await Promise.all(
        [people[0], people[1], dora].map((p) => safetyNumber(p as Person)),
      );
      return now.every((n) => n === now[0] && n !== before);
    });
    await new Promise((r) => setTimeout(r, 2000));
    for (const w of watchers) {
      const worst = await w.page.evaluate(
        () => (window as unknown as { __worstGap: number }).__worstGap,
      );
      t.diagnostic(`longest pause between presented frames of Ada: ${worst} ms`);
      // The committer switches keys first; every other member's frames wait for the new key
      // while it verifies the commit (40–50 ms traced on a quiet machine, over a second under
      // load; SFRAME-3) instead of being dropped. Usually 200–700 ms; once in three quiet runs
      // 3 s (not yet explained, issue 17), hence 4 s: a picture that stops for good still fails.
      assert.ok(worst <= 4000, `longest pause between presented frames of Ada: ${worst} ms`);
    }
  });
});

describe("a browser without encoded transforms", () => {
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("cannot join an end-to-end encrypted meeting, and is told why", async () => {
    const room = await createRoom(server.url, { lobby: false });
    const old = await newPerson(browser, "en-US");
    await old.page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      delete w.RTCRtpScriptTransform;
      delete (RTCRtpSender.prototype as unknown as Record<string, unknown>).createEncodedStreams;
    });
    await old.page.goto(room.url);
    await old.page.getByLabel("Your name").fill("Old");
    await old.page.getByRole("button", { name: "Join" }).click();
    await old.page.getByText("this browser cannot encrypt media").waitFor({ timeout: 30_000 });
    assert.equal(await old.page.getByRole("button", { name: "Leave" }).count(), 0);
  });
});

describe("a meeting with the post-quantum suite", () => {
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("works like the default: both see each other and the same safety number, marked post-quantum", async () => {
    const room = await createRoom(server.url, { lobby: false, postQuantum: true });
    const pair: Person[] = [];
    for (const name of ["Quinn", "Rosa"]) {
      const person = await newPerson(browser, "en-US");
      await join(person, room.url, name, { mic: true, cam: true });
      pair.push(person);
    }
    for (const p of pair) await seesEveryone(p, 1);
    await waitFor("both to show the same safety number", async () => {
      const [a, b] = await Promise.all(pair.map(safetyNumber));
      return a !== "" && a === b;
    });
    await pair[0]?.page.getByText("Post-quantum (X-Wing)").waitFor();
  });
});

describe("a meeting without end-to-end encryption", () => {
  let server: ServerProcess;
  let browser: Browser;
  let tap: WeriftClient;

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
  });

  after(async () => {
    await tap?.close();
    await browser?.close();
    await server?.close();
  });

  it("says so to everyone, and the same tap sees decodable VP8", async () => {
    const room = await createRoom(server.url, { lobby: false, e2ee: false });
    tap = await WeriftClient.connect(server.url, "Tap");
    await tap.join(room.id);
    const frames = new Vp8Frames();
    tap.taps.add((mid, packet) => {
      if (tap.tracks.some((t) => t.mid === mid && t.kind === "video"))
        frames.push(packet.payload, packet.marker, packet.sequenceNumber);
    });
    const eve = await newPerson(browser, "en-US");
    await join(eve, room.url, "Eve", { cam: true });
    await eve.page.getByText("Not end-to-end encrypted").waitFor();
    await waitFor("a VP8 key frame at the tap", () => frames.frames.some(isVp8KeyFrame), {
      timeoutMs: 30_000,
    });
  });
});
