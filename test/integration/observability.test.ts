import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";
import { WeriftClient } from "../support/werift-client";

const TOKEN = "metrics-token-0123456789-abcdefghij";

/** The value of a metric line `name{labels} value`, summed over label sets; undefined if absent. */
function metric(text: string, name: string): number | undefined {
  const lines = text
    .split("\n")
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (lines.length === 0) return undefined;
  return lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("/metrics", () => {
  let server: TestServer | undefined;
  const clients: WeriftClient[] = [];
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await server?.close();
  });

  it("answers 404 when neither a token nor an internal address is configured", async () => {
    server = await startTestServer();
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
  });

  it("wants the Bearer token, then shows rooms, participants, joins, forwarded media and the event loop", async () => {
    server = await startTestServer({ PLENUM_METRICS_TOKEN: TOKEN });
    const url = `${server.url}/metrics`;
    assert.equal((await fetch(url)).status, 401);
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } });
    assert.equal(wrong.status, 401);

    const { id } = await createRoom(server.url, { lobby: false });
    const alice = await WeriftClient.connect(server.url, "Alice");
    const bob = await WeriftClient.connect(server.url, "Bob");
    clients.push(alice, bob);
    await alice.join(id);
    await bob.join(id);
    await alice.publish();
    await bob.waitForMediaFrom(alice.id, 30);

    const scrape = async () => {
      const response = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
      return response.text();
    };
    // Media workers report their counts every second.
    let text = "";
    await waitFor("the media worker's counts", async () => {
      text = await scrape();
      return (metric(text, "plenum_forwarded_packets_total") ?? 0) >= 60;
    });
    assert.equal(metric(text, "plenum_rooms"), 1);
    assert.equal(metric(text, "plenum_participants"), 2);
    assert.ok((metric(text, "plenum_join_seconds_count") ?? 0) >= 2, "join latency observed");
    assert.ok((metric(text, "plenum_forwarded_packets_total") ?? 0) >= 60, "forwarded packets");
    assert.ok((metric(text, "plenum_forwarded_bytes_total") ?? 0) > 0, "forwarded bytes");
    for (const name of [
      "plenum_lost_packets_total",
      "plenum_nacks_total",
      "plenum_layer_switches_total",
    ])
      assert.match(text, new RegExp(`# TYPE ${name} counter`));
    assert.ok(metric(text, "nodejs_eventloop_lag_seconds") !== undefined, "event loop lag");
    assert.ok((metric(text, "plenum_media_worker_busy_seconds") ?? 0) > 0, "worker busy time");
    // Counts only: no room id, no name, no address in the output.
    assert.ok(!text.includes(id) && !text.includes("Alice") && !text.includes("127.0.0.1"));
  });

  it("is served only on the internal listener when PLENUM_METRICS_ADDRESS is set", async () => {
    server = await startTestServer({ PLENUM_METRICS_ADDRESS: "127.0.0.1:0" });
    const internal = server.server.metricsUrl;
    assert.match(internal ?? "", /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const scraped = await fetch(internal ?? "");
    assert.equal(scraped.status, 200);
    assert.ok(metric(await scraped.text(), "plenum_rooms") !== undefined);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, "not on the public port");
    assert.equal((await fetch((internal ?? "").replace("/metrics", "/healthz"))).status, 404);
  });
});

describe("/healthz and /readyz", () => {
  it("are ready while the store answers, and /readyz says 503 once it does not", async () => {
    const server = await startTestServer();
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      const ready = await fetch(`${server.url}/readyz`);
      assert.deepEqual([ready.status, await ready.json()], [200, { status: "ready" }]);
      await server.server.store.close();
      const gone = await fetch(`${server.url}/readyz`);
      assert.equal(gone.status, 503);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
