import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RtpHeader } from "werift";
import { headerSize, type ParsedHeader, parseHeader, writeHeader } from "./rtp-header";

/** A small deterministic generator, so that a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

function outcome(fn: () => unknown): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: fn() };
  } catch {
    return { ok: false };
  }
}

const plain = (h: unknown) =>
  JSON.parse(JSON.stringify(h, (_, v) => (Buffer.isBuffer(v) ? [...v] : v)));

describe("fast RTP header parsing and writing", () => {
  it("parses exactly what werift parses, valid or garbage (10,000 seeded packets)", () => {
    const random = rng(7);
    const make = () => new RtpHeader() as unknown as ParsedHeader;
    for (let n = 0; n < 10_000; n++) {
      let raw: Buffer;
      if (n % 2 === 0) {
        // Well-formed headers of every shape werift writes.
        const extensions = Array.from({ length: Math.floor(random() * 4) }, (_, i) => ({
          id: 1 + i * 3,
          payload: Buffer.alloc(1 + Math.floor(random() * 8), n & 0xff),
        }));
        const header = new RtpHeader({
          marker: random() < 0.5,
          payloadType: Math.floor(random() * 128),
          sequenceNumber: Math.floor(random() * 65_536),
          timestamp: Math.floor(random() * 2 ** 32),
          ssrc: Math.floor(random() * 2 ** 32),
          csrc: Array.from({ length: Math.floor(random() * 3) }, () =>
            Math.floor(random() * 2 ** 32),
          ),
          extensionProfile: (random() < 0.3 ? 0x1000 : 0xbede) as 0x1000 | 0xbede,
          extensions,
          padding: random() < 0.2,
        });
        raw = Buffer.concat([header.serialize(header.serializeSize), Buffer.from([1, 2, 3, 3])]);
      } else {
        raw = Buffer.from(
          Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256)),
        );
        if (random() < 0.5 && raw.length > 0) raw[0] = 0x90 | ((raw[0] as number) & 0x2f);
      }
      const theirs = outcome(() => plain(RtpHeader.deSerialize(raw)));
      const ours = outcome(() => plain(parseHeader(make, raw)));
      assert.deepEqual(ours, theirs, `packet ${n}: ${raw.toString("hex")}`);
    }
  });

  it("writes exactly what werift serialises", () => {
    const random = rng(11);
    for (let n = 0; n < 2_000; n++) {
      const props = {
        marker: random() < 0.5,
        payloadType: Math.floor(random() * 128),
        sequenceNumber: Math.floor(random() * 65_536),
        timestamp: Math.floor(random() * 2 ** 32),
        ssrc: Math.floor(random() * 2 ** 32),
        csrc: Array.from({ length: Math.floor(random() * 3) }, () =>
          Math.floor(random() * 2 ** 32),
        ),
        extensionProfile: (random() < 0.3 ? 0x1000 : 0xbede) as 0x1000 | 0xbede,
        extension: random() < 0.2,
        padding: random() < 0.2,
        extensions: Array.from({ length: Math.floor(random() * 4) }, (_, i) => ({
          id: 1 + i,
          payload: Buffer.alloc(1 + Math.floor(random() * 10), 0xaa),
        })),
      };
      const theirs = new RtpHeader({ ...props });
      const expected = theirs.serialize(theirs.serializeSize);
      const ours = new RtpHeader({ ...props });
      const size = headerSize(ours);
      assert.equal(size, expected.length);
      const out = Buffer.alloc(size as number, 0xff);
      writeHeader(ours, out, size as number);
      assert.deepEqual(out, expected);
      assert.equal(ours.payloadOffset, theirs.payloadOffset);
      assert.equal(ours.extension, theirs.extension);
    }
  });
});
