import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { mkdtempSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { socketFd } from "../werift/patches/fast/send";
import { ADDON_PATH, loadNativeMedia, type NativeMedia } from ".";

/**
 * The addon itself: built by `npm ci` (binding.gyp), loadable, and strict
 * about its arguments. Its SRTP output is checked byte for byte against
 * werift's in ../werift/patches/fast/srtp.test.ts; its sending here, with real sockets.
 */
describe("the native media helpers", () => {
  let media: NativeMedia;
  let receiver: Socket;
  let sender: Socket;

  before(async () => {
    const loaded = loadNativeMedia();
    if (!loaded.media)
      throw new Error(
        `the native media helpers are not built (${loaded.error}): run npm ci (needs python3, make, g++)`,
      );
    media = loaded.media;
    receiver = createSocket("udp4");
    sender = createSocket("udp4");
    receiver.bind(0, "127.0.0.1");
    sender.bind(0, "127.0.0.1");
    await Promise.all([once(receiver, "listening"), once(sender, "listening")]);
  });
  after(() => {
    receiver?.close();
    sender?.close();
  });

  const fdOf = (socket: Socket) => socketFd(socket);

  it("sends a datagram on a Node socket's descriptor, byte for byte", async () => {
    const data = randomBytes(1200);
    const got = once(receiver, "message");
    assert.equal(media.sendTo(fdOf(sender), data, receiver.address().port, "127.0.0.1"), 1200);
    const [message, from] = (await got) as [Buffer, { port: number }];
    assert.deepEqual(message, data);
    assert.equal(from.port, sender.address().port, "from the socket the descriptor belongs to");
  });

  it("returns -errno instead of throwing when the kernel refuses (a closed descriptor)", () => {
    assert.equal(media.sendTo(1_000_000, Buffer.alloc(1), 9, "127.0.0.1"), -9 /* EBADF */);
  });

  it("refuses bad arguments with a clear error", () => {
    assert.throws(() => media.sendTo(fdOf(sender), Buffer.alloc(1), 9, "localhost"), /not an IP/);
    assert.throws(
      () => media.sendTo(fdOf(sender), Buffer.alloc(1), 70_000, "::1"),
      /bad arguments/,
    );
    assert.throws(() => media.gcmCreate(Buffer.alloc(15)), /16-byte/);
    const gcm = media.gcmCreate(randomBytes(16));
    assert.throws(() => media.gcmSeal(gcm, Buffer.alloc(10), 0, Buffer.alloc(12)), /bad arguments/);
    assert.throws(() => media.gcmSeal(gcm, Buffer.alloc(40), 0, Buffer.alloc(8)), /bad arguments/);
    const ctr = media.ctrCreate(randomBytes(16), randomBytes(20));
    // A context of the other profile is refused, not misused.
    assert.throws(() => media.gcmSeal(ctr, Buffer.alloc(40), 0, Buffer.alloc(12)), /bad arguments/);
    assert.throws(
      () => media.ctrXor(ctr, Buffer.alloc(4), 2, 8, Buffer.alloc(16)),
      /bad arguments/,
    );
  });

  it("authenticates: a packet sealed and altered does not open", () => {
    const gcm = media.gcmCreate(randomBytes(16));
    const iv = randomBytes(12);
    const plain = randomBytes(200);
    const packet = Buffer.concat([Buffer.alloc(12, 7), plain, Buffer.alloc(16)]);
    media.gcmSeal(gcm, packet, 12, iv);
    assert.notDeepEqual(packet.subarray(12, 212), plain);
    const altered = Buffer.from(packet);
    altered[5] = (altered[5] as number) ^ 1; // the header (AAD)
    assert.equal(media.gcmOpen(gcm, altered, 12, iv), false);
    assert.equal(media.gcmOpen(gcm, packet, 12, iv), true);
    assert.deepEqual(packet.subarray(12, 212), plain);
  });

  it("tags AES_CM packets with HMAC-SHA1-80 over data and ROC, packet after packet", () => {
    const auth = randomBytes(20);
    const ctr = media.ctrCreate(randomBytes(16), auth);
    for (const [length, roc] of [
      [100, 0],
      [1200, 0xdeadbeef],
      [0, 1],
    ] as const) {
      const data = randomBytes(length + 30);
      const out = Buffer.alloc(20);
      media.ctrTag(ctr, data, length, roc, out, 7);
      const rocBytes = Buffer.alloc(4);
      rocBytes.writeUInt32BE(roc);
      const mac = createHmac("sha1", auth).update(data.subarray(0, length)).update(rocBytes);
      assert.deepEqual(out.subarray(7, 17), mac.digest().subarray(0, 10), `${length} bytes`);
    }
  });

  it("refuses a tag offset past the buffer, also where offset + 10 wraps in 32 bits", () => {
    const ctr = media.ctrCreate(randomBytes(16), randomBytes(20));
    const out = Buffer.alloc(16);
    assert.throws(() => media.ctrTag(ctr, out, 4, 0, out, 7), /bad arguments/);
    // 0xfffffffa + 10 is 4 in 32 bits: this once passed the check and wrote far past the buffer.
    assert.throws(() => media.ctrTag(ctr, out, 4, 0, out, 0xfffffffa), /bad arguments/);
    media.ctrTag(ctr, out, 4, 0, out, 6);
  });
});

describe("the native media helpers' install step (RUN-2)", () => {
  it("RUN-2: without a C toolchain, says so in one line and succeeds, touching no build", () => {
    // A PATH with node alone: no python3, make or cc.
    const bin = mkdtempSync(join(tmpdir(), "plenum-notools-"));
    try {
      symlinkSync(process.execPath, join(bin, "node"));
      const before = statSync(ADDON_PATH).mtimeMs;
      const run = spawnSync(process.execPath, ["scripts/build-native.mjs"], {
        cwd: resolve(import.meta.dirname, "../../../.."),
        encoding: "utf8",
        env: { PATH: bin, HOME: process.env.HOME },
      });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        /^Plenum: native media helpers not built \(no python3, make, cc\): the server will use its JavaScript path[^\n]*\n$/,
      );
      assert.equal(statSync(ADDON_PATH).mtimeMs, before, "the existing build is left alone");
      const required = spawnSync(process.execPath, ["scripts/build-native.mjs"], {
        cwd: resolve(import.meta.dirname, "../../../.."),
        encoding: "utf8",
        env: { PATH: bin, HOME: process.env.HOME, PLENUM_NATIVE: "required" },
      });
      assert.equal(required.status, 1, "npm test and the container build insist on them");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
