import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { PROTOCOL_VERSION, type ServerMessage } from "../../src/protocol/messages";
import { hostileFrame, type Known } from "../support/hostile-messages";
import { figure, percentile, profile, settledHeap } from "../support/profile";
import { RawSocket } from "../support/raw-socket";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { SignallingClient } from "../support/signalling-client";

/** Fast profile: >= 20,000 frames in `npm test`; long: >= 1,000,000 in `npm run torture`. */
const FRAMES = profile(20_000, 1_000_000);
/** Many connections in parallel, each with a window of frames in flight. */
const ATTACKERS = 40;
const WINDOW = 25;
const SEED = Number(process.env.PLENUM_FUZZ_SEED ?? 20261127);

describe("protocol fuzzing (hostile input battery)", () => {
  let server: TestServer;
  let bystander: SignallingClient;
  let bystanderId: string;
  const attackers: RawSocket[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    process.on("uncaughtException", onUnhandled);
    // The fuzzer must reach the handlers, not the flood limit (which has its own test).
    server = await startTestServer({
      PLENUM_MESSAGES_PER_SECOND: "1000000",
      PLENUM_MESSAGE_BURST: "1000000",
      PLENUM_JOIN_BURST: "100000",
    });
    const quiet = await createRoom(server.url, { lobby: false });
    bystander = await SignallingClient.greeted(server.url);
    const joined = await bystander.request({ type: "join", roomId: quiet.id, name: "Bystander" });
    assert.equal(joined.status, "joined");
    bystanderId = joined.status === "joined" ? joined.self.id : "";
  });

  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
    await Promise.allSettled(attackers.map((a) => a.close()));
    await bystander?.close();
    await server?.close();
  });

  it(`answers ${FRAMES} hostile frames with documented codes only; a bystander notices nothing (SPEC ABUSE-1)`, {
    timeout: profile(300_000, 3_600_000),
  }, async () => {
    const open = await createRoom(server.url, { lobby: false });
    const lobbied = await createRoom(server.url);
    const known: Known = {
      roomIds: [open.id, lobbied.id],
      moderatorTokens: [open.moderatorToken, lobbied.moderatorToken],
      // The bystander's id is fair game: moderating someone in another room must fail.
      participantIds: [bystanderId],
    };
    for (let i = 0; i < ATTACKERS; i++) {
      const socket = await RawSocket.open(server.url);
      attackers.push(socket);
      socket.send(JSON.stringify({ type: "hello", id: 0, protocolVersion: PROTOCOL_VERSION }));
      // A third joins the open room (some as moderators), a third knocks at the lobby, a third stays out.
      const room = [open, lobbied, undefined][i % 3];
      if (room) {
        const token = i % 2 === 0 ? { moderatorToken: room.moderatorToken } : {};
        socket.send(
          JSON.stringify({ type: "join", id: 1, roomId: room.id, name: `Fuzzer ${i}`, ...token }),
        );
      }
      await socket.repliesReach(room ? 2 : 1);
    }
    const heapBefore = await settledHeap();
    const rtts: number[] = [];
    let sent = 0;
    let batch = 0;
    const started = Date.now();

    const attack = async (socket: RawSocket) => {
      let expected = socket.replies;
      while (sent < FRAMES) {
        for (const id of socket.seenIds)
          if (known.participantIds.length < 200) known.participantIds.push(id);
        socket.seenIds.clear();
        const n = batch++;
        const frames = fc.sample(hostileFrame(known), { numRuns: WINDOW, seed: SEED + n });
        // Each window starts with a valid join (already-joined if still in), so that most
        // frames meet a session that is in a room, in its lobby or a moderator.
        const room = n % 2 === 0 ? open : lobbied;
        const token = n % 3 === 0 ? { moderatorToken: room.moderatorToken } : {};
        frames[0] = JSON.stringify({
          type: "join",
          id: 1,
          roomId: room.id,
          name: "Fuzzer",
          ...token,
        });
        for (const frame of frames) socket.send(frame);
        sent += frames.length;
        expected += frames.length;
        await socket.repliesReach(expected);
      }
    };
    const watch = async () => {
      let audio = false;
      while (sent < FRAMES) {
        audio = !audio;
        const t = performance.now();
        await bystander.request({ type: "media-state", media: { audio, video: false } });
        rtts.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await Promise.all([...attackers.map(attack), watch()]);
    const seconds = (Date.now() - started) / 1000;
    const heapAfter = await settledHeap();

    const codes = new Map<string, number>();
    for (const a of attackers)
      for (const [code, n] of a.codes) codes.set(code, (codes.get(code) ?? 0) + n);
    const growthMb = (heapAfter - heapBefore) / 2 ** 20;
    const errors = [...codes.values()].reduce((a, b) => a + b, 0);
    const replies = attackers.reduce((a, s) => a + s.replies, 0);
    figure("fuzz.frames", sent);
    figure("fuzz.seconds", seconds.toFixed(1));
    figure("fuzz.framesPerSecond", Math.round(sent / seconds));
    figure("fuzz.heapGrowthMiB", growthMb.toFixed(1));
    figure("fuzz.bystanderRttP95Ms", percentile(rtts, 95).toFixed(1));
    figure("fuzz.okReplies", replies - errors);
    figure("fuzz.errorCodes", JSON.stringify(Object.fromEntries(codes)));

    assert.ok(sent >= FRAMES);
    assert.deepEqual(unhandled, [], "no unhandled rejection or exception");
    assert.deepEqual(
      attackers.flatMap((a) => a.undocumented),
      [],
      "every error has a catalogued code",
    );
    assert.equal(codes.get("internal") ?? 0, 0, "no handler failed unexpectedly");
    assert.ok(
      attackers.every((a) => a.isOpen),
      "hostile text never costs the connection",
    );
    const foreign = bystander.unread.filter((m: ServerMessage) => m.type !== "ok");
    assert.deepEqual(foreign, [], "the bystander saw nothing of the attack");
    await bystander.request({ type: "hand", raised: true });
    // Generous: the heap holds rooms that are still open and caches; growth per frame must stay small.
    assert.ok(growthMb < 150, `heap grew ${growthMb.toFixed(1)} MiB`);
  });
});
