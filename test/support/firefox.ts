import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type ConnectionTransport } from "puppeteer-core";
import WebSocket from "ws";
import type { TestNetwork } from "./netns";
import { stopChild } from "./process";

export const FIREFOX_PATH = process.env.PLENUM_FIREFOX ?? "/usr/bin/firefox-esr";

/**
 * Preferences of a quiet, self-contained Firefox for tests. Firefox's remote
 * agent adds its own recommended automation preferences on top (updates, safe
 * browsing, telemetry, captive portal detection off: `remote.prefs.recommended`).
 */
function preferences(
  locale: string,
  secureHost: string,
): Record<string, string | number | boolean> {
  return {
    // Fake camera and microphone (and screen), granted without a prompt.
    "media.navigator.streams.fake": true,
    "media.navigator.permission.disabled": true,
    // Autoplay with sound: no person clicks in a test.
    "media.autoplay.default": 0,
    "media.autoplay.blocking_policy": 0,
    // Plain host candidates: no mDNS responder runs in a test namespace.
    "media.peerconnection.ice.obfuscate_host_addresses": false,
    // The test server is reached over plain HTTP on a test network address;
    // this makes that origin a secure context (camera, WebCrypto), as
    // Chromium's --unsafely-treat-insecure-origin-as-secure does.
    "dom.securecontext.allowlist": secureHost,
    "intl.accept_languages": locale,
    "intl.locale.requested": locale,
    "browser.shell.checkDefaultBrowser": false,
    "browser.startup.page": 0,
    "browser.startup.homepage": "about:blank",
    "browser.newtabpage.enabled": false,
    "network.dns.disablePrefetch": true,
    "network.prefetch-next": false,
    "network.captive-portal-service.enabled": false,
    "network.connectivity-service.enabled": false,
    "datareporting.policy.dataSubmissionEnabled": false,
    "toolkit.telemetry.enabled": false,
    "app.update.auto": false,
    "extensions.update.enabled": false,
    "browser.region.update.enabled": false,
  };
}

/**
 * puppeteer's WebDriver BiDi connection, over a Unix socket: the test's
 * process and Firefox live in different network namespaces, so the remote
 * agent's port (on the namespace's loopback) is reached through a forwarder
 * inside the namespace, and the socket file is visible to both.
 */
async function unixSocketTransport(socket: string, port: number): Promise<ConnectionTransport> {
  const ws = new WebSocket(`ws+unix:${socket}:/session`, {
    // The remote agent accepts only a loopback Host header.
    headers: { Host: `127.0.0.1:${port}` },
    perMessageDeflate: false,
    maxPayload: 256 * 1024 * 1024,
  });
  await new Promise<void>((done, fail) => {
    ws.once("open", () => done());
    ws.once("error", fail);
  });
  const transport: ConnectionTransport = {
    send: (message) => ws.send(message),
    close: () => ws.close(),
  };
  ws.on("message", (data) => transport.onmessage?.(data.toString()));
  ws.on("close", () => transport.onclose?.());
  ws.on("error", () => undefined);
  return transport;
}

/** Forwards a Unix socket to 127.0.0.1:`port` inside the namespace the process runs in. */
const FORWARDER = `const net = require("node:net");
const [socket, port] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(Number(port), "127.0.0.1");
  c.pipe(u).pipe(c);
  c.on("error", () => u.destroy());
  u.on("error", () => c.destroy());
}).listen(socket, () => console.log("ready"));`;

function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
): Promise<RegExpMatchArray> {
  return new Promise((done, fail) => {
    let seen = "";
    const timer = setTimeout(
      () => fail(new Error(`${what}: no sign after 60 s:\n${seen}`)),
      60_000,
    );
    const look = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        done(match);
      }
    };
    child.stdout?.on("data", look);
    child.stderr?.on("data", look);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (${code}):\n${seen}`));
    });
  });
}

export interface FirefoxBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Starts Debian's Firefox ESR, headless, in the client namespace of `net`,
 * with fake devices, the browser language `locale`, and the server's test
 * address treated as a secure context, and `extraPreferences` on top; drives
 * it with puppeteer-core over WebDriver BiDi (nothing is downloaded: the
 * system binary is used).
 */
export async function launchFirefox(
  net: TestNetwork,
  locale: string,
  extraPreferences: Record<string, string | number | boolean> = {},
): Promise<FirefoxBrowser> {
  if (!existsSync(FIREFOX_PATH))
    throw new Error(
      `Firefox ESR not found at ${FIREFOX_PATH}. Install it: apt-get install -y firefox-esr`,
    );
  const dir = mkdtempSync(join(tmpdir(), "plenum-firefox-"));
  const profile = join(dir, "profile");
  const socket = join(dir, "bidi.sock");
  const prefs = { ...preferences(locale, net.serverAddress), ...extraPreferences };
  // A fresh profile with our preferences (Firefox reads user.js at every start).
  mkdirSync(profile);
  writeFileSync(
    join(profile, "user.js"),
    Object.entries(prefs)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`)
      .join("\n"),
  );
  const children: ChildProcess[] = [];
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    for (const child of children.reverse()) await stopChild(child, "SIGTERM", 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const firefox = net.spawn(
      "client",
      FIREFOX_PATH,
      ["--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: "1" },
      },
    );
    children.push(firefox);
    const [, port = ""] = await waitForLine(
      firefox,
      /WebDriver BiDi listening on ws:\/\/127\.0\.0\.1:(\d+)/,
      "Firefox",
    );
    const forwarder = net.spawn("client", process.execPath, ["-e", FORWARDER, socket, port], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(forwarder);
    await waitForLine(forwarder, /ready/, "the BiDi forwarder");
    browser = await puppeteer.connect({
      transport: await unixSocketTransport(socket, Number(port)),
      protocol: "webDriverBiDi",
    });
    return { browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
