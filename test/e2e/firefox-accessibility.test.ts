import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { type AnyPage, firefoxPage } from "../support/browsers";
import { joinAs } from "../support/cross-browser";
import { type FirefoxBrowser, launchFirefox } from "../support/firefox";
import { createTestNetwork, type TestNetwork } from "../support/netns";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";
import { waitFor } from "../support/wait";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page, as text (source evaluated by the driver: the CSP refuses a script tag). */
async function seriousViolations(page: AnyPage): Promise<string[]> {
  await page.evaluateScript(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run()).violations;
  }, undefined);
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, host, done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

/** The axe checks of accessibility.test.ts, in Firefox ESR (German UI). */
describe("accessibility in Firefox ESR (de-DE)", () => {
  let net: TestNetwork;
  let server: ServerProcess;
  let firefox: FirefoxBrowser;
  let page: AnyPage;

  before(async () => {
    net = createTestNetwork();
    const port = await freePort(net.serverAddress);
    const origin = `http://${net.serverAddress}:${port}`;
    server = await startServerProcess({
      PLENUM_HOST: net.serverAddress,
      PLENUM_PORT: String(port),
      PLENUM_PUBLIC_URL: origin,
      PLENUM_MEDIA_ADDRESSES: net.serverAddress,
    });
    firefox = await launchFirefox(net, "de-DE");
    page = await firefoxPage(firefox, "de-DE");
  });

  after(async () => {
    await page?.close().catch(() => undefined);
    await firefox?.close();
    await server?.close();
    net?.close();
  });

  it("start page, pre-join with the camera on, meeting view: no serious or critical axe violations", async () => {
    await page.goto(server.url);
    await waitFor("the start page", () =>
      page.evaluate(() => document.querySelector("main, h1") !== null, undefined),
    );
    assert.deepEqual(await seriousViolations(page), [], "start page");
    const room = await createRoom(server.url, { lobby: false });
    await page.goto(room.moderatorUrl);
    await page.click(page.words.cam);
    await waitFor("the camera preview", () =>
      page.evaluate(() => (document.querySelector("video")?.videoWidth ?? 0) > 0, undefined),
    );
    assert.deepEqual(await seriousViolations(page), [], "pre-join");
    await joinAs(page, room.moderatorUrl, "Anna", { mic: true });
    assert.deepEqual(await seriousViolations(page), [], "meeting view");
  });
});
