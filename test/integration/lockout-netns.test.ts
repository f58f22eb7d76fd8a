import assert from "node:assert/strict";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestNetwork, type TestNetwork } from "../support/netns";
import type { JoinAttempt, JoinOutcome } from "../support/netns-join";
import { stopChild } from "../support/process";
import { createRoom, startTestServer, type TestServer } from "../support/server";

const JOINER = resolve(import.meta.dirname, "../support/netns-join.ts");
const PASSWORD = "the right one";

/** Runs the attempts, in order, from `net`'s client namespace; resolves with their outcomes. */
async function joinFrom(
  net: TestNetwork,
  url: string,
  roomId: string,
  attempts: JoinAttempt[],
): Promise<JoinOutcome[]> {
  const child = net.spawn(
    "client",
    process.execPath,
    ["--import", "tsx", JOINER, JSON.stringify({ url, roomId, attempts })],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  // Generous: the per-room delays alone add up to seconds, and the machine is shared.
  const timer = setTimeout(() => void stopChild(child, "SIGKILL"), 90_000);
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  clearTimeout(timer);
  assert.equal(code, 0, `the joiner in ${net.clientNamespace} exited with ${code}`);
  return JSON.parse(out) as JoinOutcome[];
}

/**
 * Issue 19, finding 4, on a real network: an attacker in one network
 * namespace, from five source addresses, guesses a room's password until
 * every one of their addresses is blocked and the room's own throttle delays
 * each attempt the most it ever does; the right person, from another
 * namespace, still gets in with the right password at once (docs/SPEC.md PW-3).
 */
describe("lock-out attempt from several addresses (network namespaces)", () => {
  let attackerNet: TestNetwork;
  let colleagueNet: TestNetwork;
  let server: TestServer;
  let port: number;

  before(async () => {
    attackerNet = createTestNetwork();
    colleagueNet = createTestNetwork();
    // Both networks' server ends are in this namespace: listening on every address reaches both.
    server = await startTestServer({
      PLENUM_HOST: "0.0.0.0",
      PLENUM_PUBLIC_URL: "http://127.0.0.1:0",
      PLENUM_MEDIA_ADDRESSES: "127.0.0.1",
      // The production join limit: the attacker's joins are within it.
      PLENUM_JOIN_BURST: "30",
    });
    port = Number(new URL(server.url).port);
  });

  after(async () => {
    await server?.close();
    attackerNet?.close();
    colleagueNet?.close();
  });

  it("PW-3: wrong guesses from five addresses block only those addresses; the right person gets in promptly", async (t) => {
    const room = await createRoom(server.url, { password: PASSWORD });
    const sources = [
      attackerNet.clientAddress,
      ...Array.from({ length: 4 }, () => attackerNet.addClientSource()),
    ];
    // Six guesses from each: five free failures, then that address's block. 25 failures in
    // all, more than the room's 20 free ones; then the right password from a blocked address.
    const guesses = sources.flatMap((localAddress) =>
      Array.from({ length: 6 }, (_, i) => ({ localAddress, name: "G", password: `guess ${i}` })),
    );
    const attacker = await joinFrom(
      attackerNet,
      `http://${attackerNet.serverAddress}:${port}`,
      room.id,
      [...guesses, { localAddress: sources[0] ?? "", name: "G", password: PASSWORD }],
    );
    for (const localAddress of sources) {
      assert.deepEqual(
        attacker.filter((a) => a.localAddress === localAddress).map((a) => a.outcome),
        [
          ...Array.from({ length: 5 }, () => "wrong-password"),
          "too-many-attempts",
          ...(localAddress === sources[0] ? ["too-many-attempts"] : []),
        ],
        `guesses from ${localAddress}`,
      );
    }

    const [colleague] = await joinFrom(
      colleagueNet,
      `http://${colleagueNet.serverAddress}:${port}`,
      room.id,
      [{ localAddress: colleagueNet.clientAddress, name: "Colleague", password: PASSWORD }],
    );
    t.diagnostic(
      `PW-3 over netns: 25 wrong guesses from 5 addresses took ${Math.round(
        attacker.reduce((sum, a) => sum + a.ms, 0),
      )} ms of join requests; the right password from another address then took ${Math.round(colleague?.ms ?? Number.NaN)} ms`,
    );
    assert.equal(colleague?.outcome, "lobby", "the right password gets in (to the lobby)");
    // The room's delay is at most 2 s (SPEC PW-3); the rest is slack for a loaded machine.
    assert.ok((colleague?.ms ?? Number.POSITIVE_INFINITY) < 5000, `took ${colleague?.ms} ms`);
  });
});
