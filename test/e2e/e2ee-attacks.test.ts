import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { fromBase64 } from "../../src/client/sdk/e2ee/codec";
import {
  decryptFrame,
  deriveSenderKey,
  readHeader,
  splitKeyId,
} from "../../src/client/sdk/e2ee/sframe";
import type { Counters } from "../../src/client/sdk/e2ee/worker-protocol";
import { launchChromium } from "../support/chromium";
import { MlsMember } from "../support/mls-member";
import { join, newPerson, type Person } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { Vp8Frames } from "../support/vp8-frames";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

function counters(page: Page): Promise<Counters | undefined> {
  return page.evaluate(() => (globalThis as { plenumE2eeCounters?: Counters }).plenumE2eeCounters);
}

/** Frames decoded and packets received for the inbound video track `trackId` (getStats). */
function decodedOn(page: Page, trackId: string): Promise<{ decoded: number; packets: number }> {
  return page.evaluate(async (id) => {
    const found = { decoded: 0, packets: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === "closed") continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp" || s.trackIdentifier !== id) return;
        found.decoded += s.framesDecoded ?? 0;
        found.packets += s.packetsReceived ?? 0;
      });
    }
    return found;
  }, trackId);
}

const clearOf = (frame: Buffer) => ((frame[0] ?? 1) & 0x01 ? 3 : 10);

describe("end-to-end encryption under attack", () => {
  let server: ServerProcess;
  let browser: Browser;
  let roomId: string;
  let ada: Person;
  let ben: Person;
  let tap: WeriftClient;
  let max: MlsMember;
  const intruders: WeriftClient[] = [];
  /** Video frames the tap captured, in arrival order. */
  const captured: Buffer[] = [];

  before(async () => {
    server = await startServerProcess();
    browser = await launchChromium();
    const room = await createRoom(server.url, { lobby: false });
    roomId = room.id;
    tap = await WeriftClient.connect(server.url, "Tap");
    await tap.join(roomId);
    const frames = new Vp8Frames();
    tap.taps.add((mid, packet) => {
      if (!tap.tracks.some((t) => t.mid === mid && t.kind === "video")) return;
      const before = frames.frames.length;
      frames.push(packet.payload, packet.marker, packet.sequenceNumber);
      if (frames.frames.length > before) captured.push(frames.frames.at(-1) as Buffer);
    });
    ada = await newPerson(browser, "en-US");
    await join(ada, room.url, "Ada", { cam: true });
    ben = await newPerson(browser, "en-US");
    await join(ben, room.url, "Ben", { cam: true });
    max = await MlsMember.join(server.url, roomId, "Max");
    await waitFor("Max to be in the group", () => max.last !== undefined);
  });

  after(async () => {
    for (const c of intruders) await c.close();
    await tap?.close();
    await max?.close();
    await browser?.close();
    await server?.close();
  });

  it("chat passes the server as ciphertext only, and members read it", async () => {
    const text = "the vault code is swordfish";
    await ada.page.getByRole("button", { name: "Chat" }).click();
    await ada.page.getByLabel("Message to everyone").fill(text);
    await ada.page.getByRole("button", { name: "Send" }).click();
    await waitFor("Max to receive the chat message", () => max.chats.length > 0);
    const relayed = max.chats[0];
    assert.ok(relayed);
    assert.ok(!JSON.stringify(relayed).includes("swordfish"));
    assert.ok(!Buffer.from(fromBase64(relayed.message)).toString("latin1").includes("swordfish"));
    assert.deepEqual(await max.group.decryptChat(relayed.message), {
      text,
      sender: relayed.from,
    });
    await ben.page.getByRole("button", { name: "Chat" }).click();
    await ben.page.getByText(text).waitFor();
  });

  it("drops injected garbage and replayed frames before the decoder, and warns on the tile", async () => {
    const mallory = await WeriftClient.connect(server.url, "Mallory");
    intruders.push(mallory);
    await mallory.join(roomId);
    await mallory.publish();
    // Garbage first: Mallory's synthetic media is not encrypted at all.
    const tile = ben.page.locator("figure.tile.remote", { hasText: "Mallory" });
    await tile.getByText("Cannot decrypt").waitFor({ timeout: 30_000 });
    const trackId = await tile
      .locator("video")
      .evaluate(
        (v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]?.id ?? "",
      );
    await waitFor(
      "Mallory's packets to arrive",
      async () => (await decodedOn(ben.page, trackId)).packets > 60,
    );
    const garbage = await decodedOn(ben.page, trackId);
    assert.equal(garbage.decoded, 0, "no garbage frame reaches the decoder");
    const start = (await counters(ben.page)) as Counters;
    assert.ok(start.dropped.malformed + start.dropped.noKey + start.dropped.auth > 30);

    // Then replays: frames of Ada and Ben the tap captured, which Ben has certainly had by now.
    const replay = captured.slice(-60);
    await new Promise((r) => setTimeout(r, 1000));
    mallory.replayVideo([...replay, ...replay]);
    // Frames of Ada and Ben on Mallory's track are not Mallory's: refused whether Ben saw them
    // already or not (a simulcast layer he never got would otherwise be new to him).
    const refused = (c: Counters) => c.dropped.replay + c.dropped.auth;
    await waitFor("Ben's worker to drop the replayed frames", async () => {
      const now = await counters(ben.page);
      return now !== undefined && refused(now) >= refused(start) + 30;
    });
    assert.equal((await decodedOn(ben.page, trackId)).decoded, 0, "no replay reaches the decoder");
  });

  it("a removed member's last keys decrypt nothing sent after the Remove", async () => {
    const last = max.last;
    assert.ok(last);
    const slot = last.epoch % 256;
    // Control: Max's keys read frames of his own epoch.
    await waitFor("a frame of Max's epoch", () =>
      captured.some((f) => splitKeyId(readHeader(f, clearOf(f))?.kid ?? 0n).epochBits === slot),
    );
    const ours = captured.find(
      (f) => splitKeyId(readHeader(f, clearOf(f))?.kid ?? 0n).epochBits === slot,
    ) as Buffer;
    await tryDecrypt(last.sframeSecret, last.epoch, ours);

    await max.signalling.request({ type: "leave" });
    const from = captured.length;
    await waitFor("frames of a newer epoch", () =>
      captured
        .slice(from)
        .some((f) => splitKeyId(readHeader(f, clearOf(f))?.kid ?? 0n).epochBits !== slot),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const after = captured
      .slice(from)
      .filter((f) => splitKeyId(readHeader(f, clearOf(f))?.kid ?? 0n).epochBits !== slot);
    assert.ok(after.length > 10);
    for (const frame of after) {
      const epoch = splitKeyId(readHeader(frame, clearOf(frame))?.kid ?? 0n).epochBits;
      await assert.rejects(tryDecrypt(last.sframeSecret, epoch, frame));
    }
  });
});

/** Decrypts a captured frame with keys derived from `secret` for the frame's own key id. */
async function tryDecrypt(secret: Uint8Array, epoch: number, frame: Buffer): Promise<Uint8Array> {
  const clear = clearOf(frame);
  const header = readHeader(frame, clear);
  if (!header) throw new Error("no SFrame header");
  const key = await deriveSenderKey(secret, epoch, splitKeyId(header.kid).senderIndex);
  return decryptFrame(key, frame, clear, header);
}
