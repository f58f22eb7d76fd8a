import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { clearBytes, decryptFrame, deriveSenderKey, encryptFrame, readHeader } from "./sframe";

/**
 * The SFrame parser and cipher against hostile bytes (issue 10, media parsers):
 * nothing escapes as an exception except the refusal the worker turns into a
 * drop, and nothing that was not encrypted with the key ever decrypts.
 */
describe("SFrame against hostile frames", () => {
  const secret = new Uint8Array(32).fill(7);
  const frames = fc.uint8Array({ minLength: 0, maxLength: 300 });

  it("reads a header from any bytes without throwing, and never past the end", () => {
    fc.assert(
      fc.property(frames, fc.nat({ max: 12 }), (data, clear) => {
        const header = readHeader(data, clear);
        if (header) assert.ok(header.headerEnd <= data.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses to decrypt anything that was not encrypted with the key", async () => {
    const key = await deriveSenderKey(secret, 3, 1);
    await fc.assert(
      fc.asyncProperty(frames, fc.nat({ max: 10 }), async (data, clear) => {
        const header = readHeader(data, clear);
        if (!header) return;
        await assert.rejects(decryptFrame(key, data, clear, header));
      }),
      { numRuns: 300 },
    );
  });

  it("round-trips a frame, and refuses it after any single byte changed (clear bytes included)", async () => {
    const key = await deriveSenderKey(secret, 3, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.bigInt({ min: 0n, max: 2n ** 40n }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (frame, counter, at, flip) => {
          const clear = clearBytes("video", frame);
          const sealed = await encryptFrame(key, counter, frame, clear);
          const header = readHeader(sealed, clear);
          assert.ok(header);
          assert.deepEqual(await decryptFrame(key, sealed, clear, header), frame);
          const tampered = sealed.slice();
          const i = at % tampered.length;
          tampered[i] = (tampered[i] ?? 0) ^ flip;
          const reread = readHeader(tampered, clear);
          if (reread) await assert.rejects(decryptFrame(key, tampered, clear, reread));
        },
      ),
      { numRuns: 300 },
    );
  });
});
