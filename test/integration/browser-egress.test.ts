import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { browserFindings, observeInBrowser } from "../../src/server/compliance/probes/browser";
import { CHROMIUM_PATH } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

/** The test pages have no meeting to go through; the probe need not wait long for one. */
const SHORT = 5_000;

/**
 * The audit's browser probe must catch a page that reaches another origin.
 * The "other origin" is a second server on 127.0.0.2, another loopback
 * address: nothing here ever leaves the machine.
 */
describe("browser egress probe", () => {
  let foreign: Server;
  let foreignOrigin: string;
  const hits: string[] = [];
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];

  before(async () => {
    foreign = createServer((request, response) => {
      hits.push(request.url ?? "");
      response.end("<!doctype html><title>elsewhere</title>");
    });
    await new Promise<void>((done) => foreign.listen(0, "127.0.0.2", done));
    foreignOrigin = `http://127.0.0.2:${(foreign.address() as AddressInfo).port}`;
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await new Promise((done) => foreign.close(done));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Plenum serving a test build whose page is `html`. */
  async function serving(html: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "plenum-foreign-client-"));
    dirs.push(dir);
    writeFileSync(join(dir, "index.html"), html);
    const server = await startServerProcess({ PLENUM_CLIENT_DIR: dir });
    servers.push(server);
    return server.url;
  }

  it("reports L4 and L3 red when the page tries to load an asset from another origin (even if the CSP blocks it)", async () => {
    const url = await serving(
      `<!doctype html><title>test build</title><img src="${foreignOrigin}/pixel.png" alt="">`,
    );
    const seen = await observeInBrowser(url, CHROMIUM_PATH, undefined, SHORT);
    const findings = browserFindings(seen, url);
    const l4 = findings.find((f) => f.id === "L4");
    assert.equal(l4?.status, "red");
    assert.ok(l4?.evidence.includes(`foreign: ${foreignOrigin}/pixel.png`), JSON.stringify(l4));
    assert.equal(findings.find((f) => f.id === "L3")?.status, "red");
    assert.deepEqual(
      hits,
      [],
      "the CSP kept the request from being sent; the probe still saw the attempt",
    );
  });

  it("reports L4 red when the page actually reaches another origin", async () => {
    hits.length = 0;
    // A navigation is not governed by the CSP: the request really goes out.
    const url = await serving(
      `<!doctype html><title>test build</title><meta http-equiv="refresh" content="0; url=${foreignOrigin}/landing">`,
    );
    const seen = await observeInBrowser(url, CHROMIUM_PATH, undefined, SHORT);
    assert.ok(hits.includes("/landing"), "the second loopback server was reached");
    const l4 = browserFindings(seen, url).find((f) => f.id === "L4");
    assert.equal(l4?.status, "red");
    assert.ok(l4?.evidence.includes(`foreign: ${foreignOrigin}/landing`), JSON.stringify(l4));
  });

  it("reports the real client clean", async () => {
    const server = await startServerProcess();
    servers.push(server);
    const seen = await observeInBrowser(server.url, CHROMIUM_PATH);
    assert.equal(seen.failure, undefined);
    const findings = browserFindings(seen, server.url);
    assert.deepEqual(
      findings.filter((f) => f.status !== "green").map((f) => [f.id, f.reason]),
      [],
    );
    assert.ok(
      seen.urls.some((u) => u.endsWith("/ws")),
      "the call's WebSocket was recorded",
    );
  });
});
