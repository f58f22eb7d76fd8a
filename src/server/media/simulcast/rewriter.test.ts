import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isNewer, StreamRewriter } from "./rewriter";

describe("StreamRewriter", () => {
  it("passes the first stream through unchanged", () => {
    const r = new StreamRewriter(90000);
    r.switchTo({ sequenceNumber: 100, timestamp: 5000 }, 0);
    assert.deepEqual(r.rewrite({ sequenceNumber: 100, timestamp: 5000 }, 0), {
      sequenceNumber: 100,
      timestamp: 5000,
    });
  });

  it("continues sequence numbers, timestamps and picture ids across a layer switch", () => {
    const r = new StreamRewriter(90000);
    r.switchTo({ sequenceNumber: 10, timestamp: 1000, pictureId: 7, tl0PicIdx: 3 }, 0);
    r.rewrite({ sequenceNumber: 10, timestamp: 1000, pictureId: 7, tl0PicIdx: 3 }, 0);
    r.rewrite({ sequenceNumber: 11, timestamp: 4000, pictureId: 8, tl0PicIdx: 4 }, 33);
    // The other layer: unrelated numbers; 100 ms later.
    const first = { sequenceNumber: 60000, timestamp: 999_999, pictureId: 30000, tl0PicIdx: 250 };
    r.switchTo(first, 133);
    const out = r.rewrite(first, 133);
    assert.equal(out.sequenceNumber, 12);
    assert.equal(out.timestamp, 4000 + 9000);
    assert.equal(out.pictureId, 9);
    assert.equal(out.tl0PicIdx, 5);
    const next = r.rewrite(
      { sequenceNumber: 60001, timestamp: 1_002_999, pictureId: 30001, tl0PicIdx: 250 },
      166,
    );
    assert.deepEqual(next, { sequenceNumber: 13, timestamp: 16000, pictureId: 10, tl0PicIdx: 5 });
  });

  it("wraps sequence numbers, timestamps and 15-bit picture ids", () => {
    const r = new StreamRewriter(90000);
    r.switchTo({ sequenceNumber: 65535, timestamp: 2 ** 32 - 10, pictureId: 0x7fff }, 0);
    r.rewrite({ sequenceNumber: 65535, timestamp: 2 ** 32 - 10, pictureId: 0x7fff }, 0);
    const first = { sequenceNumber: 5, timestamp: 77, pictureId: 12 };
    r.switchTo(first, 0);
    assert.deepEqual(r.rewrite(first, 0), {
      sequenceNumber: 0,
      timestamp: 2 ** 32 - 9,
      pictureId: 0,
    });
  });

  it("keeps a late packet of the current stream in its place and does not advance past it", () => {
    const r = new StreamRewriter(48000);
    r.switchTo({ sequenceNumber: 200, timestamp: 0 }, 0);
    r.rewrite({ sequenceNumber: 200, timestamp: 0 }, 0);
    r.rewrite({ sequenceNumber: 202, timestamp: 1920 }, 40);
    assert.equal(r.rewrite({ sequenceNumber: 201, timestamp: 960 }, 45).sequenceNumber, 201);
    const first = { sequenceNumber: 9, timestamp: 0 };
    r.switchTo(first, 60);
    // Follows 202 (the newest), not 201 (the late one); 20 ms at 48 kHz = 960 ticks.
    assert.deepEqual(r.rewrite(first, 60), { sequenceNumber: 203, timestamp: 1920 + 960 });
  });

  it("closes the gap of a packet left out", () => {
    const r = new StreamRewriter(90000);
    r.switchTo({ sequenceNumber: 10, timestamp: 0 }, 0);
    r.rewrite({ sequenceNumber: 10, timestamp: 0 }, 0);
    r.skip({ sequenceNumber: 11, timestamp: 0 });
    assert.equal(r.rewrite({ sequenceNumber: 12, timestamp: 3000 }, 33).sequenceNumber, 11);
  });

  it("refuses to rewrite before an input stream is chosen", () => {
    const r = new StreamRewriter(90000);
    assert.throws(() => r.rewrite({ sequenceNumber: 1, timestamp: 1 }, 0), /switchTo/);
    r.switchTo({ sequenceNumber: 1, timestamp: 1 }, 0);
    r.stop();
    assert.equal(r.active, false);
  });
});

describe("isNewer", () => {
  it("compares across the 16-bit wrap", () => {
    assert.equal(isNewer(1, 65535), true);
    assert.equal(isNewer(65535, 1), false);
    assert.equal(isNewer(5, 5), false);
  });
});
