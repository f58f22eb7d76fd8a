import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { Accounts } from "../../src/server/account/accounts";
import { createLogger } from "../../src/server/observability/log";
import { Agent } from "../support/agent";
import { type ClockedServer, startClockedServer } from "../support/clocked-server";

const HOUR_MS = 60 * 60 * 1000;
const PASSWORD = "correct horse battery";

function tokenHash(agent: Agent): string {
  return createHash("sha256")
    .update(agent.cookies.get("plenum_session") ?? "")
    .digest("hex");
}

describe("password sign-in (T3)", () => {
  let t: ClockedServer;

  before(async () => {
    t = await startClockedServer({ PLENUM_SESSION_HOURS: "12" });
    await new Accounts(t.store).addLocal("alice", PASSWORD);
  });
  after(() => t?.close());

  it("signs in with a cookie that is HttpOnly, SameSite=Lax, Path=/ and not Secure on http loopback", async () => {
    const agent = new Agent(t.url);
    const response = await agent.json("POST", "/api/auth/login", {
      username: "Alice",
      password: PASSWORD,
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { username: "alice" });
    const cookie = response.headers.get("set-cookie") ?? "";
    assert.match(cookie, /^plenum_session=[A-Za-z0-9_-]{43};/, "256-bit token");
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; Max-Age=43200/);
    assert.doesNotMatch(cookie, /Secure/);
    assert.equal(response.headers.get("cache-control"), "no-store");
  });

  it("knows who is signed in, and nobody after logout; the old token stops working", async () => {
    const agent = new Agent(t.url);
    assert.equal((await agent.fetch("/api/auth/me")).status, 401);
    await agent.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    const stolen = agent.cookieHeader();
    const me = await agent.fetch("/api/auth/me");
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { username: "alice" });

    const hash = tokenHash(agent);
    assert.ok(await t.store.accounts.findSession(hash), "stored by its hash");
    const out = await agent.json("POST", "/api/auth/logout");
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie") ?? "", /^plenum_session=; Max-Age=0/);
    assert.equal(await t.store.accounts.findSession(hash), undefined, "deleted at logout");
    assert.equal(
      (await fetch(`${t.url}/api/auth/me`, { headers: { cookie: stolen } })).status,
      401,
    );
  });

  it("ends the browser's previous session when it signs in again", async () => {
    const agent = new Agent(t.url);
    await agent.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    const first = tokenHash(agent);
    await agent.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    assert.notEqual(tokenHash(agent), first, "a fresh token");
    assert.equal(await t.store.accounts.findSession(first), undefined);
  });

  it("stores the token only as its SHA-256", async () => {
    const agent = new Agent(t.url);
    await agent.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    const raw = agent.cookies.get("plenum_session") ?? "";
    assert.equal(await t.store.accounts.findSession(raw), undefined);
    assert.ok(await t.store.accounts.findSession(tokenHash(agent)));
  });

  it("rejects an expired session and the retention job deletes expired ones (T10)", async () => {
    const agent = new Agent(t.url);
    await agent.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    const later = new Agent(t.url);
    t.clock.advance(6 * HOUR_MS);
    await later.json("POST", "/api/auth/login", { username: "alice", password: PASSWORD });
    t.clock.advance(6 * HOUR_MS);

    assert.equal((await agent.fetch("/api/auth/me")).status, 401, "12 hours are over");
    assert.equal(await t.store.accounts.findSession(tokenHash(agent)), undefined);
    assert.equal((await later.fetch("/api/auth/me")).status, 200, "6 hours left");

    t.clock.advance(6 * HOUR_MS);
    assert.ok(await t.store.accounts.findSession(tokenHash(later)), "expired, not yet swept");
    await t.server.retention();
    assert.equal(await t.store.accounts.findSession(tokenHash(later)), undefined);
  });

  it("answers a wrong username exactly like a wrong password", async () => {
    const agent = new Agent(t.url);
    const wrongPassword = await agent.json("POST", "/api/auth/login", {
      username: "alice",
      password: "not the password",
    });
    const wrongUser = await agent.json("POST", "/api/auth/login", {
      username: "mallory",
      password: "not the password",
    });
    assert.equal(wrongPassword.status, 401);
    assert.equal(wrongUser.status, 401);
    assert.deepEqual(await wrongUser.json(), await wrongPassword.json());
    assert.equal(wrongUser.headers.get("set-cookie"), null);
  });

  it("refuses state changes that are not same-origin JSON (CSRF)", async () => {
    const body = JSON.stringify({ username: "alice", password: PASSWORD });
    const noOrigin = await fetch(`${t.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    assert.equal(noOrigin.status, 403);
    assert.equal(((await noOrigin.json()) as { code: string }).code, "cross-origin");
    const foreign = await fetch(`${t.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body,
    });
    assert.equal(foreign.status, 403);
    const form = await fetch(`${t.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: t.url },
      body: "username=alice",
    });
    assert.equal(form.status, 415);
    assert.equal(((await form.json()) as { code: string }).code, "json-required");
  });

  it("says whether sign-in through an organisation is offered", async () => {
    const response = await fetch(`${t.url}/api/auth/options`);
    assert.deepEqual(await response.json(), { password: true, oidc: false });
    assert.equal((await fetch(`${t.url}/api/auth/oidc/start`, { redirect: "manual" })).status, 404);
  });
});

describe("login throttle", () => {
  let t: ClockedServer;

  before(async () => {
    t = await startClockedServer();
    await new Accounts(t.store).addLocal("bob", PASSWORD);
  });
  after(() => t?.close());

  it("slows a password guesser down per username with growing delays, even for the right password", async () => {
    const agent = new Agent(t.url);
    const attempt = (password: string) =>
      agent.json("POST", "/api/auth/login", { username: "bob", password });
    for (let i = 0; i < 6; i++) assert.equal((await attempt(`guess ${i}`)).status, 401);
    const throttled = await attempt(PASSWORD);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get("retry-after"), "1");
    assert.equal(((await throttled.json()) as { code: string }).code, "login-throttled");

    t.clock.advance(1000);
    assert.equal((await attempt("guess 7")).status, 401);
    const longer = await attempt(PASSWORD);
    assert.equal(longer.headers.get("retry-after"), "2", "the wait doubled");

    t.clock.advance(2000);
    assert.equal((await attempt(PASSWORD)).status, 200, "the owner gets in once the wait is over");
  });

  it("throttles an address that tries many usernames, answering unknown names alike", async () => {
    t.clock.advance(60 * 60 * 1000);
    await t.server.retention();
    const agent = new Agent(t.url);
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await agent.json("POST", "/api/auth/login", {
        username: `user${i}`,
        password: "guess",
      });
      statuses.push(response.status);
    }
    // The earlier failures from this address were forgotten once the clock moved an hour.
    assert.deepEqual(statuses, Array(21).fill(401), "20 free failures, then one more counted");
    const next = await agent.json("POST", "/api/auth/login", {
      username: "bob",
      password: PASSWORD,
    });
    assert.equal(next.status, 429);
  });
});

describe("what sign-in writes to the log (T7)", () => {
  let t: ClockedServer;
  let written = "";

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        written += chunk;
        done();
      },
    });
    t = await startClockedServer({}, createLogger("trace", sink));
    await new Accounts(t.store).addLocal("carol", PASSWORD);
    written = ""; // the listening address at start is the server's own, not a person's
  });
  after(() => t?.close());

  it("holds no username, password, token or address, even at trace level", async () => {
    const agent = new Agent(t.url);
    await agent.json("POST", "/api/auth/login", { username: "carol", password: "wrong guess" });
    await agent.json("POST", "/api/auth/login", { username: "carol", password: PASSWORD });
    await agent.fetch("/api/auth/me");
    await agent.json("POST", "/api/my/rooms", { name: "Board", password: "room secret" });
    await agent.json("POST", "/api/auth/logout");
    t.clock.advance(24 * HOUR_MS);
    await t.server.retention();
    assert.doesNotMatch(written, /carol|wrong guess|correct horse|room secret|Board/);
    assert.doesNotMatch(written, /127\.0\.0\.1|plenum_session/);
  });
});
