import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { type AnyPage, chromiumPage, firefoxPage } from "../support/browsers";
import { launchChromium } from "../support/chromium";
import { connections, decodes, joinAs, safetyNumber } from "../support/cross-browser";
import { type FirefoxBrowser, launchFirefox } from "../support/firefox";
import { createTestNetwork, type TestNetwork } from "../support/netns";
import { type ServerProcess, startServerProcess } from "../support/process";
import { createRoom } from "../support/server";

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, host, done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}

/**
 * Issue 18: meetings in Firefox ESR, alone and with Chromium, E2EE on (the
 * default). Firefox does not pair with 127.0.0.1, so the server listens and
 * announces its media on the server end of a test network, and both browsers
 * run in its client namespace (test/support/netns.ts): no address outside it.
 */
describe("meetings in Firefox ESR and mixed with Chromium", () => {
  let net: TestNetwork;
  let server: ServerProcess;
  let origin: string;
  let chromium: Browser;
  const firefoxes: FirefoxBrowser[] = [];
  const pages: AnyPage[] = [];

  before(async () => {
    net = createTestNetwork();
    const port = await freePort(net.serverAddress);
    origin = `http://${net.serverAddress}:${port}`;
    server = await startServerProcess({
      PLENUM_HOST: net.serverAddress,
      PLENUM_PORT: String(port),
      PLENUM_PUBLIC_URL: origin,
      PLENUM_MEDIA_ADDRESSES: net.serverAddress,
    });
    // Not loopback, so not a secure context by default (Firefox: a preference, see firefox.ts).
    chromium = await launchChromium(
      [`--unsafely-treat-insecure-origin-as-secure=${origin}`],
      net.chromiumExecutable(),
    );
    // One Firefox per browser language (a preference of the whole browser).
    firefoxes.push(await launchFirefox(net, "en-US"), await launchFirefox(net, "de-DE"));
  });

  after(async () => {
    await Promise.allSettled(pages.map((p) => p.close()));
    await Promise.allSettled(firefoxes.map((f) => f.close()));
    await chromium?.close();
    await server?.close();
    net?.close();
  });

  const open = async (engine: "chromium" | "firefox", german = false): Promise<AnyPage> => {
    const locale = german ? "de-DE" : "en-US";
    const firefox = firefoxes[german ? 1 : 0];
    const page =
      engine === "chromium" || !firefox
        ? await chromiumPage(chromium, locale)
        : await firefoxPage(firefox, locale);
    pages.push(page);
    return page;
  };

  /** Two people meet, E2EE on: each decodes the other's camera and hears them; safety numbers match. */
  async function meet(host: AnyPage, guest: AnyPage, lobby: boolean): Promise<void> {
    const room = await createRoom(server.url, { lobby });
    await joinAs(host, room.moderatorUrl, "Ann", { cam: true, mic: true });
    await joinAs(guest, room.url, "Ben", { cam: true, mic: true }, lobby ? host : undefined);
    await decodes(host, "Ann decodes Ben's camera and hears him");
    await decodes(guest, "Ben decodes Ann's camera and hears her");
    const [a, b] = await Promise.all([safetyNumber(host), safetyNumber(guest)]);
    assert.equal(a, b, "both see the same safety number");
    await Promise.all([host.close(), guest.close()]);
  }

  it("MEDIA-2: Firefox + Firefox, E2EE: frames decoded both ways, same safety number", async () => {
    await meet(await open("firefox"), await open("firefox", true), false);
  });

  it("MEDIA-2: Chromium moderator admits a Firefox guest from the lobby; media both ways", async () => {
    await meet(await open("chromium"), await open("firefox", true), true);
  });

  it("MEDIA-2: Firefox moderator admits a Chromium guest from the lobby; media both ways", async () => {
    await meet(await open("firefox"), await open("chromium", true), true);
  });

  it("MEDIA-1: a person alone in Firefox for 60 s keeps both connections", async () => {
    const room = await createRoom(server.url, { lobby: false });
    const ann = await open("firefox");
    await joinAs(ann, room.moderatorUrl, "Ann", { cam: true, mic: true });
    const first = await connections(ann);
    assert.equal(first.made, 2, "one sending and one receiving connection");
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      const now = await connections(ann);
      assert.equal(now.made, first.made, `no connection rebuilt (states: ${now.states})`);
      assert.ok(!now.states.includes("closed"), `none closed (states: ${now.states})`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await ann.close();
  });
});
