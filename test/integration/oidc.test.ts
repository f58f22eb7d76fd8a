import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Accounts } from "../../src/server/account/accounts";
import { Agent } from "../support/agent";
import { type ClockedServer, startClockedServer } from "../support/clocked-server";
import { type IdentityProvider, startIdentityProvider } from "../support/identity-provider";

const isCallback = (url: URL) => url.pathname === "/api/auth/oidc/callback";

/**
 * Goes through the provider's development login and consent pages as a
 * browser would (plain HTTP form posts); returns where the browser ends up,
 * or with `stopAtCallback` the callback URL it was about to open.
 */
async function signInThroughProvider(
  agent: Agent,
  t: ClockedServer,
  login: string,
  stopAtCallback = false,
): Promise<URL> {
  const stopAt = stopAtCallback ? isCallback : () => false;
  let { response, url } = await agent.navigate(`${t.url}/api/auth/oidc/start`, {}, stopAt);
  for (let step = 0; url.origin !== new URL(t.url).origin; step++) {
    assert.ok(step < 5, "the provider's pages end");
    assert.equal(response.status, 200, `provider page ${url.pathname}`);
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    assert.ok(action && prompt, `a login or consent form at ${url.pathname}`);
    const form = new URLSearchParams({ prompt, login, password: "anything" });
    ({ response, url } = await agent.navigate(
      new URL(action, url).href,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      },
      stopAt,
    ));
  }
  return url;
}

describe("sign-in through an organisation's OpenID Connect provider (T3, SPEC OIDC-*)", () => {
  let idp: IdentityProvider;
  let t: ClockedServer;

  before(async () => {
    idp = await startIdentityProvider();
    t = await startClockedServer({
      PLENUM_OIDC_ISSUER: idp.issuer,
      PLENUM_OIDC_CLIENT_ID: idp.clientId,
      PLENUM_OIDC_CLIENT_SECRET: idp.clientSecret,
      PLENUM_OIDC_REQUIRED_CLAIM: "groups=plenum-organisers",
      // "boss" names a local account only; the provider's "chief" is named by issuer and subject.
      PLENUM_ADMINS: `boss,${idp.issuer}#chief`,
    });
    idp.register(`${t.url}/api/auth/oidc/callback`);
  });
  after(async () => {
    await t?.close();
    await idp?.close();
  });

  it("offers it to the sign-in page", async () => {
    const options = await (await fetch(`${t.url}/api/auth/options`)).json();
    assert.deepEqual(options, { password: true, oidc: true });
  });

  it("sends the browser to the provider with PKCE, state and nonce", async () => {
    const start = await new Agent(t.url).fetch("/api/auth/oidc/start");
    assert.equal(start.status, 303);
    const target = new URL(start.headers.get("location") ?? "");
    assert.equal(target.origin, idp.issuer);
    const p = target.searchParams;
    assert.equal(p.get("response_type"), "code");
    assert.equal(p.get("code_challenge_method"), "S256");
    assert.ok(p.get("code_challenge") && p.get("state") && p.get("nonce"));
    assert.equal(p.get("redirect_uri"), `${t.url}/api/auth/oidc/callback`);
    assert.match(start.headers.get("set-cookie") ?? "", /^plenum_oidc=[^;]+;.*HttpOnly/);
  });

  it("creates the account at first login and signs in to the same one later", async () => {
    const first = new Agent(t.url);
    const landed = await signInThroughProvider(first, t, "jane");
    assert.equal(landed.pathname, "/my");
    const me = await first.fetch("/api/auth/me");
    assert.deepEqual(await me.json(), { username: "jane" }, "from preferred_username");

    const again = new Agent(t.url);
    await signInThroughProvider(again, t, "jane");
    assert.deepEqual(await (await again.fetch("/api/auth/me")).json(), { username: "jane" });
    const accounts = await new Accounts(t.store).list();
    const jane = accounts.filter((a) => a.username === "jane");
    assert.equal(jane.length, 1);
    assert.deepEqual(jane[0]?.oidc, { issuer: idp.issuer, subject: "jane" });
    assert.equal(jane[0]?.passwordHash, null);
    await assert.rejects(
      new Accounts(t.store).setPassword("jane", "a password for jane"),
      /signs in through the organisation's provider/,
    );
  });

  it("never takes over a local account of the same name", async () => {
    await new Accounts(t.store).addLocal("max", "correct horse battery");
    const agent = new Agent(t.url);
    await signInThroughProvider(agent, t, "max");
    assert.deepEqual(await (await agent.fetch("/api/auth/me")).json(), { username: "max-2" });
  });

  it("OIDC-1: an account without the required claim is refused and leaves nothing behind", async () => {
    const agent = new Agent(t.url);
    const landed = await signInThroughProvider(agent, t, "outsider");
    assert.equal(landed.pathname, "/login");
    assert.equal(landed.searchParams.get("error"), "oidc-not-allowed");
    assert.equal(agent.cookies.get("plenum_session"), undefined);
    assert.equal((await agent.fetch("/api/auth/me")).status, 401);
    const accounts = await new Accounts(t.store).list();
    assert.ok(!accounts.some((a) => a.oidc?.subject === "outsider"), "no account was created");
  });

  it("OIDC-2: administrators from the provider are named by issuer#subject; a squatted username gets nothing", async () => {
    // No local "boss" exists yet: a provider account whose preferred_username is "Boss" gets the name...
    const squatter = new Agent(t.url);
    await signInThroughProvider(squatter, t, "boss");
    assert.deepEqual(await (await squatter.fetch("/api/auth/me")).json(), { username: "boss" });
    // ...but not the administrator role that PLENUM_ADMINS gives a local account of that name.
    assert.equal((await squatter.fetch("/api/admin/compliance")).status, 403);
    const chief = new Agent(t.url);
    await signInThroughProvider(chief, t, "chief");
    const admin = await chief.fetch("/api/admin/compliance");
    assert.equal(admin.status, 200);
    assert.deepEqual(await admin.json(), { state: "idle" });
  });

  it("refuses a callback that this browser did not start (login CSRF) or that was replayed", async () => {
    const victim = new Agent(t.url);
    const attacker = new Agent(t.url);
    // The attacker signs in as themselves and lures the victim to the callback with their code.
    const callback = await signInThroughProvider(attacker, t, "mallory", true);
    assert.ok(isCallback(callback));
    const lured = await victim.navigate(callback.href);
    assert.equal(lured.url.pathname, "/login");
    assert.equal(lured.url.searchParams.get("error"), "oidc-failed");
    assert.equal(victim.cookies.get("plenum_session"), undefined);
    // Not even the attacker's own browser can use it now: the state was spent.
    const replay = await attacker.navigate(callback.href);
    assert.equal(replay.url.searchParams.get("error"), "oidc-failed");
    assert.equal(attacker.cookies.get("plenum_session"), undefined);
  });
});
