import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MlsMember } from "../support/mls-member";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError } from "../support/signalling-client";
import { waitFor } from "../support/wait";

/**
 * Post-quantum meetings for real (issue 17, item 8): a room created with
 * `postQuantum` runs the X-Wing suite, and its Welcomes and commits, far
 * larger than one 64 KiB frame at 50 members, arrive whole (DS-5).
 */
describe("Post-quantum (X-Wing) meeting of 50 members", () => {
  let server: TestServer;
  const members: MlsMember[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(members.map((m) => m.close()));
    await server.close();
  });

  it("PQ-1, DS-5: 50 real ts-mls members end in one X-Wing group with one key; Welcomes over 64 KiB arrive whole", async () => {
    const room = (await createRoom(server.url, { lobby: false, e2ee: true, postQuantum: true })).id;
    const started = Date.now();
    const first = await MlsMember.join(server.url, room, "Member 1", { postQuantum: true });
    members.push(first);
    let largestWelcome = 0;
    let largestCommit = 0;
    first.signalling.onMessage((m) => {
      if (m.type === "mls-commit") largestCommit = Math.max(largestCommit, m.commit.length);
    });
    // Everyone else arrives at once, as at the start of a large meeting: commits add many.
    const rest = await Promise.all(
      Array.from({ length: 49 }, async (_, i) => {
        const member = await MlsMember.join(server.url, room, `Member ${i + 2}`, {
          postQuantum: true,
        });
        member.signalling.onMessage((m) => {
          if (m.type === "mls-welcome")
            largestWelcome = Math.max(largestWelcome, (m.welcome.length * 3) / 4);
        });
        return member;
      }),
    );
    members.push(...rest);
    await waitFor(
      "all 50 members in one epoch with one key",
      () =>
        members.every(
          (m) =>
            m.last?.members.size === 50 &&
            m.last.epoch === first.last?.epoch &&
            Buffer.from(m.last.sframeSecret).equals(Buffer.from(first.last.sframeSecret)),
        ),
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    // A late joiner's Welcome carries all 50 leaves' X-Wing keys: far over one frame.
    const late = await MlsMember.join(server.url, room, "Member 51", { postQuantum: true });
    members.push(late);
    let lateWelcome = 0;
    late.signalling.onMessage((m) => {
      if (m.type === "mls-welcome") lateWelcome = (m.welcome.length * 3) / 4;
    });
    await waitFor("the 51st member in the group", () => late.last?.members.size === 51, {
      timeoutMs: 60_000,
    });
    assert.ok(lateWelcome > 64 * 1024, `the Welcome was ${lateWelcome} bytes`);
    assert.ok(members.every((m) => m.group.failed === undefined));
    // A classical KeyPackage has no place in an X-Wing room.
    const classical = await MlsMember.join(server.url, room, "Classical").catch((e: unknown) => e);
    assert.ok(classical instanceof RequestError && classical.code === "mls-malformed");
    console.log(
      `# 50-member X-Wing group in ${Date.now() - started} ms; largest Welcome ${Math.max(largestWelcome, lateWelcome)} bytes (51st: ${lateWelcome}), largest relayed commit ${Math.round((largestCommit * 3) / 4)} bytes`,
    );
  });
});
