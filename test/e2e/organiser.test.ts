import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { Accounts } from "../../src/server/account/accounts";
import { Store } from "../../src/server/store/store";
import { axeViolations } from "../support/axe";
import { launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";
import { waitFor } from "../support/wait";

const PASSWORD = "correct horse battery";

describe("an organiser in the browser", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-e2e-organiser-"));
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    await new Accounts(store).addLocal("alice", PASSWORD);
    await store.close();
    server = await startServerProcess({ PLENUM_DATA_DIR: dataDir });
    browser = await launchChromium();
    page = await (await personContext(browser, "en-US")).newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("signs in from the start page, with a wrong password first", async () => {
    await page.goto(server.url);
    await page.getByRole("link", { name: "Organisers: sign in" }).click();
    await page.waitForURL(/\/login$/);
    assert.deepEqual(await axeViolations(page), [], "sign-in page");
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong username or password." }).waitFor();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL(/\/my$/);
    await page.getByText("Signed in as alice").waitFor();
    assert.equal(
      await page.getByRole("link", { name: "Sign in with your organisation" }).count(),
      0,
    );
  });

  it("creates a persistent room with a name and sees it listed, also after reloading", async () => {
    await page.getByText("You have no rooms yet.").waitFor();
    await page.getByLabel("Name of the room").fill("Council meeting");
    await page.getByLabel("Chat").uncheck();
    await page.getByRole("button", { name: "Create room" }).click();
    const item = page.getByRole("listitem").filter({ hasText: "Council meeting" });
    await item.waitFor();
    const link = await item.getByLabel("Link for participants").inputValue();
    // The links commit to end-to-end encryption in their fragment (E2EE-DOWNGRADE-1).
    assert.match(link, new RegExp(`^${server.url}/r/[A-Za-z0-9_-]{22}#e2ee=1$`));
    assert.match(
      await item.getByLabel("Moderator link (shown only now)").inputValue(),
      /#mod=[A-Za-z0-9_-]{43}&e2ee=1$/,
    );
    assert.match((await item.locator(".badges").textContent()) ?? "", /Waiting room/);
    assert.doesNotMatch((await item.locator(".badges").textContent()) ?? "", /Chat/);
    assert.deepEqual(await axeViolations(page), [], "organiser page");

    await page.reload();
    await page.getByRole("heading", { name: "Council meeting" }).waitFor();
    assert.equal(await page.getByLabel("Moderator link (shown only now)").count(), 0);
  });

  it("changes the room's settings, post-quantum encryption included (PQ-1)", async () => {
    const item = page.getByRole("listitem").filter({ hasText: "Council meeting" });
    await item.getByRole("button", { name: "Settings" }).click();
    await item.getByLabel("Waiting room: you let people in").uncheck();
    await item.getByLabel(/^Post-quantum key exchange \(X-Wing\)/).check();
    assert.deepEqual(await axeViolations(page), [], "room settings form");
    await item.getByLabel("New room password (empty: keep the current one)").fill("s3same");
    await item.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Room “Council meeting” saved." }).waitFor();
    const badges = (await item.locator(".badges").textContent()) ?? "";
    assert.match(badges, /Password/);
    assert.match(badges, /Post-quantum/);
    assert.doesNotMatch(badges, /Waiting room/);
    assert.equal(await item.getByRole("button", { name: "Save" }).count(), 0, "the form closed");
  });

  it("opens the room and joins it as its moderator", async () => {
    const item = page.getByRole("listitem").filter({ hasText: "Council meeting" });
    await item.getByRole("link", { name: "Open" }).click();
    await page.waitForURL(/\/r\/[A-Za-z0-9_-]{22}#e2ee=1$/);
    await page.getByLabel("Your name").fill("Alice");
    await page.getByRole("button", { name: "Join" }).click();
    await page.getByRole("button", { name: "Leave" }).waitFor();
    await waitFor("the moderator badge", () =>
      page.locator("figure.tile .badge", { hasText: "Moderator" }).count(),
    );
    // The meeting's MLS group runs the X-Wing suite chosen in the settings.
    await page.locator(".e2ee-state .badge", { hasText: "Post-quantum (X-Wing)" }).waitFor();
    await page.getByRole("button", { name: "Leave" }).click();
  });

  it("deletes the room after confirming, and signs out", async () => {
    await page.goto(`${server.url}/my`);
    const item = page.getByRole("listitem").filter({ hasText: "Council meeting" });
    await item.getByRole("button", { name: "Delete" }).click();
    await item.getByRole("button", { name: "Cancel" }).click();
    await item.getByRole("button", { name: "Delete" }).click();
    await item.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByText("You have no rooms yet.").waitFor();
    await page.reload();
    await page.getByText("You have no rooms yet.").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${server.url}/`);
    await page.goto(`${server.url}/my`);
    await page.waitForURL(/\/login$/);
  });

  it("wrote no username, password or session token to the log (T7)", async () => {
    const log = server.output();
    assert.doesNotMatch(log, /alice/i);
    assert.doesNotMatch(log, /correct horse|not the password/);
    assert.doesNotMatch(log, /plenum_session|[A-Za-z0-9_-]{43}/);
  });
});
