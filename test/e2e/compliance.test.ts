import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { Accounts } from "../../src/server/account/accounts";
import { Store } from "../../src/server/store/store";
import { axeViolations } from "../support/axe";
import { CHROMIUM_PATH, launchChromium, personContext } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

const PASSWORD = "correct horse battery";

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/my$/);
}

describe("privacy notice and the administrators' audit page", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "plenum-e2e-compliance-"));
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    const store = await Store.openSqlite(join(dataDir, "plenum.db"));
    await new Accounts(store).addLocal("alice", PASSWORD);
    await new Accounts(store).addLocal("bob", PASSWORD);
    await store.close();
    server = await startServerProcess({
      PLENUM_DATA_DIR: dataDir,
      PLENUM_ADMINS: "alice",
      PLENUM_CHROMIUM: CHROMIUM_PATH,
      PLENUM_CONTROLLER_NAME: "Bezirksamt Musterstadt",
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("links the privacy notice from the start page, in the person's language (L6)", async () => {
    const start = await (await personContext(browser, "de-DE")).newPage();
    await start.goto(server.url);
    // It opens in a new tab, so nothing typed on the page before is lost.
    const [page] = await Promise.all([
      start.context().waitForEvent("page"),
      start.getByRole("link", { name: "Datenschutzhinweise" }).click(),
    ]);
    await page.getByRole("heading", { name: "Datenschutzhinweise für Videokonferenzen" }).waitFor();
    assert.equal(await page.getAttribute("html", "lang"), "de");
    await page.getByText("Bezirksamt Musterstadt").waitFor();
    assert.deepEqual(await axeViolations(page), [], "privacy notice");
    await page.getByRole("link", { name: "English" }).click();
    await page.getByRole("heading", { name: "Privacy notice for video meetings" }).waitFor();
    await page.getByText("[not stated: PLENUM_DPO_CONTACT]").waitFor();
  });

  it("tells an organiser who is not an administrator that the page is not theirs", async () => {
    const page = await (await personContext(browser, "en-US")).newPage();
    await signIn(page, server.url, "bob");
    await page.goto(`${server.url}/admin/compliance`);
    await page
      .getByRole("alert")
      .filter({ hasText: "Only administrators may see this page." })
      .waitFor();
  });

  it("runs the audit for an administrator, showing progress, then every criterion", async () => {
    const page = await (await personContext(browser, "en-US")).newPage();
    await signIn(page, server.url, "alice");
    await page.goto(`${server.url}/admin/compliance`);
    await page.getByRole("button", { name: "Run the audit" }).click();
    await page.getByRole("status").filter({ hasText: "The audit is running" }).waitFor();
    const rows = page.locator("table.audit tbody tr");
    await rows.first().waitFor({ timeout: 180_000 });
    assert.equal(await rows.count(), 22);
    const t1 = rows.filter({ hasText: "Transport encryption (TR-02102)" });
    assert.match((await t1.textContent()) ?? "", /yellow: action needed/);
    const l4 = rows.filter({ hasText: "No third-country transfer" });
    assert.match((await l4.textContent()) ?? "", /green: verified/);
    assert.deepEqual(await axeViolations(page), [], "audit page");
    await page.getByRole("button", { name: "Sprache: Deutsch" }).click();
    await page.getByRole("heading", { name: "Datenschutz-Prüfung" }).waitFor();
    await rows.filter({ hasText: "Transportverschlüsselung (TR-02102)" }).waitFor();
    await rows.filter({ hasText: "gelb: Handlungsbedarf" }).first().waitFor();
  });
});
