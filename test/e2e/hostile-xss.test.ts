import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { MAX_NAME_LENGTH } from "../../src/protocol/messages";
import { Accounts } from "../../src/server/account/accounts";
import { Store } from "../../src/server/store/store";
import { Agent } from "../support/agent";
import { launchChromium, personContext } from "../support/chromium";
import { join as joinMeeting, WORDS } from "../support/people";
import { type ServerProcess, startServerProcess } from "../support/process";
import { figure } from "../support/profile";
import { createRoom } from "../support/server";
import { SignallingClient } from "../support/signalling-client";
import { waitFor } from "../support/wait";

const PASSWORD = "correct horse battery";
const PAYLOADS = readFileSync(resolve(import.meta.dirname, "../data/xss-payloads.txt"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.startsWith("#"));
/** People on the page at once: each carries one payload as name and one as chat message. */
const BATCH = 50;

/**
 * Every way a payload could run calls a binding the test exposes: the dialog
 * functions payloads use, and the page's CSP violation event (a blocked inline
 * script still means the text reached the DOM as markup).
 */
async function watched(context: BrowserContext, hits: string[]): Promise<void> {
  await context.exposeBinding("__xssHit", (_source, what: string) => {
    hits.push(what);
  });
  await context.addInitScript(() => {
    const hit = (window as unknown as { __xssHit(what: string): void }).__xssHit;
    for (const name of ["alert", "prompt", "confirm", "print"] as const) {
      (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
        hit(`${name}(${args.join(",")})`);
    }
    document.addEventListener("securitypolicyviolation", (e) =>
      hit(
        `csp ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`,
      ),
    );
  });
}

describe("injection: XSS payloads rendered in Chromium (hostile input battery)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-e2e-xss-"));
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  const hits: string[] = [];
  const clients: SignallingClient[] = [];

  before(async () => {
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    await new Accounts(store).addLocal("alice", PASSWORD);
    await store.close();
    // Hundreds of people join from 127.0.0.1 in this test.
    server = await startServerProcess({ PLENUM_DATA_DIR: dataDir, PLENUM_JOIN_BURST: "100000" });
    browser = await launchChromium();
    const context = await personContext(browser, "en-US");
    await watched(context, hits);
    page = await context.newPage();
  });

  after(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`ships at least 500 payloads`, () => {
    assert.ok(PAYLOADS.length >= 500, `${PAYLOADS.length} payloads`);
    figure("xss.payloads", PAYLOADS.length);
  });

  it("runs none of them as display names and chat messages (SPEC NAME-1)", async () => {
    // Signalling-only clients cannot speak MLS, so this room is not end-to-end
    // encrypted; the page renders decrypted and plain chat through the same view.
    const room = await createRoom(server.url, { lobby: false, e2ee: false });
    await joinMeeting({ page, locale: "en-US", words: WORDS["en-US"] }, room.url, "Observer");
    await page.getByRole("button", { name: WORDS["en-US"].chat }).click();
    // The detector itself works: a dialog call reaches the binding.
    await page.evaluate(() => window.alert("control"));
    await waitFor("the control call to be seen", () => hits.includes("alert(control)"));
    hits.length = 0;
    let shown = 0;
    for (let start = 0; start < PAYLOADS.length; start += BATCH) {
      const batch = PAYLOADS.slice(start, start + BATCH);
      const people = await Promise.all(
        batch.map(async (payload) => {
          const c = await SignallingClient.greeted(server.url);
          clients.push(c);
          const name = payload.trim().slice(0, MAX_NAME_LENGTH);
          await c.request({ type: "join", roomId: room.id, name });
          await c.request({ type: "chat", text: payload });
          return c;
        }),
      );
      await waitFor(`${batch.length} remote tiles`, async () => {
        return (await page.locator("figure.tile.remote").count()) === batch.length;
      });
      shown += batch.length;
      await waitFor(`${shown} chat messages`, async () => {
        return (await page.locator(".chat .messages li").count()) >= shown;
      });
      // The last payload of the batch is on screen as text, exactly as sent.
      const last = batch.at(-1) as string;
      const texts = await page.locator(".chat .messages li p.text").allTextContents();
      assert.ok(texts.includes(last.trim()), `chat shows ${JSON.stringify(last)} as text`);
      await Promise.all(people.map((c) => c.close()));
      await waitFor("the batch to leave", async () => {
        return (await page.locator("figure.tile.remote").count()) === 0;
      });
    }
    figure("xss.namesAndChatRendered", shown);
    assert.deepEqual(hits, [], "no payload ran and no CSP violation happened");
  });

  it("runs none of them as organiser room names", async () => {
    const agent = new Agent(server.url);
    const login = await agent.json("POST", "/api/auth/login", {
      username: "alice",
      password: PASSWORD,
    });
    assert.equal(login.status, 200);
    let created = 0;
    for (const payload of PAYLOADS) {
      const name = payload.trim().slice(0, 100);
      const response = await agent.json("POST", "/api/my/rooms", { name });
      assert.equal(response.status, 201, `room named ${JSON.stringify(name)}`);
      created++;
    }
    const url = new URL(server.url);
    await page.context().addCookies(
      [...agent.cookies].map(([name, value]) => ({
        name,
        value,
        domain: url.hostname,
        path: "/",
      })),
    );
    await page.goto(`${server.url}/my`);
    await waitFor(`${created} rooms listed`, async () => {
      return (await page.locator("h3").count()) >= created;
    });
    figure("xss.roomNamesRendered", created);
    assert.deepEqual(hits, [], "no payload ran and no CSP violation happened");
  });
});
