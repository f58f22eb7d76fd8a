import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { socketFd } from "../werift/fast/send";
import { loadNativeMedia, type NativeMedia } from ".";

/**
 * The addon itself: built by `npm ci` (binding.gyp), loadable, and strict
 * about its arguments. Its SRTP output is checked byte for byte against
 * werift's in ../werift/fast/srtp.test.ts; its sending here, with real sockets.
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
});
