import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { observeInBrowser } from "../../src/server/compliance/probes/browser";
import { CHROMIUM_PATH } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";
import { SignallingClient } from "../support/signalling-client";

/** Any dotted quad whose last octet is not the truncation's 0. */
const FULL_IPV4 = /\b(?:\d{1,3}\.){3}(?:[1-9]\d{0,2})\b/;

/**
 * T7 and SPEC DATA-2: during a scripted call at the most verbose log level,
 * no full IP address, display name or room id reaches the logs.
 */
describe("log scan during a call", () => {
  let server: ServerProcess;
  let logLines: string[] = [];
  let roomId = "";
  const names = ["Audit host", "Audit guest", "Zebulon Quartermaine"];

  before(async () => {
    server = await startServerProcess({ PLENUM_LOG_LEVEL: "trace" });
    // Two people in Chromium go through pre-join, lobby and a call.
    const seen = await observeInBrowser(server.url, CHROMIUM_PATH);
    assert.equal(seen.failure, undefined);
    roomId = /\/r\/([A-Za-z0-9_-]{22,})/.exec(seen.urls.join(" "))?.[1] ?? "";
    assert.ok(roomId, "the call's room id is known to the test");
    // A third person knocks from another loopback address.
    const knocker = await SignallingClient.greeted(server.url, {}, "127.0.0.2");
    await knocker.request({ type: "join", roomId, name: "Zebulon Quartermaine" });
    await knocker.close();
    logLines = server
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      // Fastify names the server's own bind address: not a person's.
      .filter((l) => !l.includes('"msg":"Server listening at'));
  });

  after(() => server?.close());

  it("logged the connections, with the network only (the scan is not vacuous)", () => {
    const connected = logLines.filter((l) => l.includes("signalling: connected"));
    assert.ok(connected.length >= 3, server.output());
    assert.ok(connected.some((l) => l.includes('"net":"127.0.0.0"')));
  });

  it("holds no full IP address", () => {
    assert.deepEqual(
      logLines.filter((l) => FULL_IPV4.test(l) || l.includes('::1"')),
      [],
    );
  });

  it("holds no display name and no room id", () => {
    for (const secret of [...names, roomId])
      assert.deepEqual(
        logLines.filter((l) => l.includes(secret)),
        [],
        secret,
      );
  });
});
