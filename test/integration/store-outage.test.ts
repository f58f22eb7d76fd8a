import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startPostgres, type TestPostgres } from "../support/postgres";
import { createRoom, startTestServer, type TestServer } from "../support/server";
import { RequestError, SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

/**
 * PostgreSQL goes away under a running Plenum and comes back: people get a
 * clear "try again" (store-unavailable, HTTP 503), never the server's
 * internals, the server stays up, and once the database is back everything
 * made before works again.
 */
describe("a database outage", () => {
  let postgres: TestPostgres;
  let server: TestServer;
  const clients: SignallingClient[] = [];

  before(async () => {
    postgres = await startPostgres();
    server = await startTestServer({ PLENUM_DATABASE_URL: await postgres.createDatabase() });
  });

  after(async () => {
    for (const client of clients) await client.close();
    await server?.close();
    await postgres?.close();
  });

  const greeted = async () => {
    const client = await SignallingClient.greeted(server.url);
    clients.push(client);
    return client;
  };

  it("refuses joins and new rooms with store-unavailable, and recovers when it returns", async () => {
    const room = await createRoom(server.url, { lobby: false });
    await postgres.stop();

    const client = await greeted();
    const refused = await client.request({ type: "join", roomId: room.id, name: "Erika" }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof RequestError, `join refused (${String(refused)})`);
    assert.equal(refused.code, "store-unavailable");
    assert.ok(client.isOpen, "the connection stays open for a later try");

    const create = await fetch(`${server.url}/api/rooms`, { method: "POST" });
    assert.equal(create.status, 503);
    const body = (await create.json()) as { code: string; message: string };
    assert.equal(body.code, "store-unavailable");
    assert.doesNotMatch(body.message, /ECONNREFUSED|127\.0\.0\.1|postgres/i, "no internals");
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);

    await postgres.start();
    await waitFor("ready again", async () => (await fetch(`${server.url}/readyz`)).ok, {
      timeoutMs: 30_000,
    });
    const joined = await client.request({ type: "join", roomId: room.id, name: "Erika" });
    assert.equal(joined.status, "joined", "the room made before the outage is still there");
    await createRoom(server.url);
  });
});
