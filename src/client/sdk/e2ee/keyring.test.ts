import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { Keyring, NEXT_EPOCH_WAIT_MS, PREVIOUS_EPOCH_MS } from "./keyring";
import { clearBytes, readHeader } from "./sframe";

/**
 * The worker's keys, counters and replay windows (issue 17, attacks 4 and 7),
 * with the real SFrame code. Alice (leaf 0) sends, Bob (leaf 1) receives.
 */
const members = new Map([
  [0, "alice"],
  [1, "bob"],
]);

/** A VP8 delta frame: 3 clear bytes (frame tag, bit 0 set), then the payload. */
function frame(i: number): Uint8Array {
  const data = new Uint8Array(randomBytes(60));
  data[0] = 0x01;
  data[3] = i & 0xff;
  return data;
}

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("SFrame keys across epochs and group re-creation", () => {
  it("SFRAME-1: re-creating the group at epoch 0 never repeats a (key, nonce) pair, and the old key is not reused", async () => {
    const t = clock();
    const alice = new Keyring(t.now);
    const first = randomBytes(32);
    const second = randomBytes(32);
    const sent: { secret: Uint8Array; plain: Uint8Array; sealed: Uint8Array }[] = [];
    const send = async (secret: Uint8Array, n: number) => {
      for (let i = 0; i < n; i++) {
        const plain = frame(i);
        const sealed = await alice.encrypt("video", plain);
        assert.ok(sealed);
        sent.push({ secret, plain, sealed });
      }
    };
    alice.setEpoch(0, first, 0, members);
    await send(first, 5);
    // A second mls-create/Welcome: epoch 0 again, with a new secret.
    alice.setEpoch(0, second, 0, members);
    await send(second, 5);
    // A hostile server replays the first Welcome: the same secret comes back, later too.
    alice.setEpoch(0, first, 0, members);
    await send(first, 5);
    t.advance(PREVIOUS_EPOCH_MS * 2);
    alice.setEpoch(1, randomBytes(32), 0, members);
    t.advance(PREVIOUS_EPOCH_MS * 2);
    alice.setEpoch(2, randomBytes(32), 0, members);
    t.advance(PREVIOUS_EPOCH_MS * 2);
    // Long gone from the held epochs, but its counter is remembered.
    alice.setEpoch(0, first, 0, members);
    await send(first, 5);

    // The key and nonce follow from (secret, key id, counter): each triple once.
    const triples = sent.map(({ secret, sealed }) => {
      const header = readHeader(sealed, 3);
      assert.ok(header);
      return `${Buffer.from(secret).toString("hex")}/${header.kid}/${header.counter}`;
    });
    assert.equal(new Set(triples).size, triples.length);
    // And directly: no two frames' ciphertexts XOR to their plaintexts' XOR (a repeated keystream).
    for (let i = 0; i < sent.length; i++)
      for (let j = i + 1; j < sent.length; j++) {
        const a = sent[i];
        const b = sent[j];
        assert.ok(a && b);
        const at = 3 + (readHeader(a.sealed, 3)?.headerEnd ?? 0) - 3;
        const bt = 3 + (readHeader(b.sealed, 3)?.headerEnd ?? 0) - 3;
        const same = [0, 1, 2, 3].every(
          (k) =>
            ((a.sealed[at + k] ?? 0) ^ (b.sealed[bt + k] ?? 0)) ===
            ((a.plain[3 + k] ?? 0) ^ (b.plain[3 + k] ?? 0)),
        );
        assert.equal(same, false, `frames ${i} and ${j} share a keystream`);
      }

    // Bob, who holds only the first group's epoch 0, reads none of the second group's frames.
    const bob = new Keyring(t.now);
    bob.setEpoch(0, first, 1, members);
    for (const { secret, sealed } of sent.filter((s) => s.secret === second)) {
      assert.ok(secret);
      assert.deepEqual(await bob.decrypt("video", sealed), { drop: "auth" });
    }
  });

  it("SFRAME-2: 300 epochs without a stall: every fresh frame decrypts after every epoch change, and memory stays bounded", async () => {
    const t = clock();
    const alice = new Keyring(t.now);
    const bob = new Keyring(t.now);
    let decrypted = 0;
    for (let epoch = 0; epoch < 300; epoch++) {
      const secret = randomBytes(32);
      alice.setEpoch(epoch, secret, 0, members);
      bob.setEpoch(epoch, secret, 1, members);
      for (let i = 0; i < 3; i++) {
        const plain = frame(i);
        const sealed = await alice.encrypt("video", plain);
        assert.ok(sealed);
        const out = await bob.decrypt("video", sealed, "alice");
        assert.ok("plain" in out, `epoch ${epoch}, frame ${i}: dropped (${JSON.stringify(out)})`);
        assert.deepEqual(out.plain, plain);
        decrypted++;
      }
      // Commits come at most every few seconds in a real meeting; older epochs expire meanwhile.
      t.advance(epoch % 2 === 0 ? 100 : PREVIOUS_EPOCH_MS + 1);
      assert.ok(bob.heldCount <= 3, `epoch ${epoch}: ${bob.heldCount} epochs held`);
    }
    assert.equal(decrypted, 900);
  });

  it("SFRAME-2: a replayed frame is dropped, a previous epoch's frame passes only while in flight, memory bounded under a burst of commits", async () => {
    const t = clock();
    const alice = new Keyring(t.now);
    const bob = new Keyring(t.now);
    const secret = randomBytes(32);
    alice.setEpoch(7, secret, 0, members);
    bob.setEpoch(7, secret, 1, members);
    const old = await alice.encrypt("video", frame(1));
    const late = await alice.encrypt("video", frame(2));
    assert.ok(old && late);
    assert.ok("plain" in (await bob.decrypt("video", old)));
    assert.deepEqual(await bob.decrypt("video", old), { drop: "replay" });
    const next = randomBytes(32);
    alice.setEpoch(8, next, 0, members);
    bob.setEpoch(8, next, 1, members);
    assert.ok("plain" in (await bob.decrypt("video", late)), "in flight across the change");
    t.advance(PREVIOUS_EPOCH_MS + 1);
    bob.setEpoch(9, randomBytes(32), 1, members);
    assert.deepEqual(await bob.decrypt("video", late), { drop: "noKey" });
    // Bob's own frames reflected back, and frames of a track that is not Alice's, never pass.
    const own = await bob.encrypt("video", frame(3));
    assert.ok(own);
    assert.deepEqual(await alice.decrypt("video", own, "carol"), { drop: "noKey" });
    for (let e = 10; e < 60; e++) bob.setEpoch(e, randomBytes(32), 1, members);
    assert.ok(bob.heldCount <= 8, `${bob.heldCount} epochs held after a burst`);
    assert.equal(clearBytes("video", frame(0)), 3);
  });

  it("SFRAME-3: frames of an epoch not yet installed wait for its key together; past the deadline they drop at once", async () => {
    const t = clock();
    const alice = new Keyring(t.now);
    const bob = new Keyring(t.now);
    const [old, next] = [randomBytes(32), randomBytes(32)];
    alice.setEpoch(0, old, 0, members);
    bob.setEpoch(0, old, 1, members);
    // The committer moves first; Bob is still verifying the commit.
    alice.setEpoch(1, next, 0, members);
    const sealed = async (i: number) => (await alice.encrypt("video", frame(i))) as Uint8Array;
    const waiting = bob.decrypt("video", await sealed(1));
    t.advance(NEXT_EPOCH_WAIT_MS + 1);
    // One deadline for the epoch: a later frame does not start a wait of its own.
    const late = await Promise.race([
      bob.decrypt("video", await sealed(2)),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200)),
    ]);
    assert.deepEqual(late, { drop: "noKey" });
    bob.setEpoch(1, next, 1, members);
    assert.ok("plain" in (await waiting), "the frame that waited is decrypted once the key is in");
    assert.ok("plain" in (await bob.decrypt("video", await sealed(3))));
  });

  it("SFRAME-3: a joiner's frames that arrive before its first epoch wait for it", async () => {
    const secret = randomBytes(32);
    const alice = new Keyring();
    const joiner = new Keyring();
    alice.setEpoch(4, secret, 0, members);
    const waiting = joiner.decrypt("video", (await alice.encrypt("video", frame(1))) as Uint8Array);
    joiner.setEpoch(4, secret, 1, members);
    assert.ok("plain" in (await waiting));
  });
});
