import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ComplianceFacts } from "../../src/server/compliance/facts";
import { observeInBrowser } from "../../src/server/compliance/probes/browser";
import { CHROMIUM_PATH } from "../support/chromium";
import { type ServerProcess, startServerProcess } from "../support/process";

/** Destination addresses in strace lines of connect/sendto/sendmsg (IPv4, IPv6, Unix). */
function destinations(trace: string): string[] {
  const out: string[] = [];
  for (const m of trace.matchAll(
    /inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"|sun_path="([^"]+)"/g,
  ))
    out.push(m[1] ?? m[2] ?? `unix:${m[3]}`);
  return out;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.|::$|0\.0\.0\.0$)/;

/**
 * This machine's own addresses. Chromium offers ICE candidates on every
 * interface, so the SFU answers the browser (on this same machine) there too;
 * a packet to one's own address never leaves the host.
 */
const OWN = new Set(
  Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address),
);

/**
 * L1 and L3 from outside: the server runs under strace during a browser call,
 * and the kernel's view of every connect/sendto must show this machine only —
 * the same answer the server's own egress monitor gives the audit.
 */
describe("server egress under strace during a call", () => {
  const traceDir = mkdtempSync(join(tmpdir(), "plenum-strace-"));
  const traceFile = join(traceDir, "trace");
  let server: ServerProcess;

  before(async () => {
    server = await startServerProcess({}, [
      "strace",
      "-f",
      "-qq",
      "-e",
      "trace=connect,sendto,sendmsg",
      "-o",
      traceFile,
    ]);
    const seen = await observeInBrowser(server.url, CHROMIUM_PATH);
    assert.equal(seen.failure, undefined);
  });

  after(async () => {
    // SIGTERM to strace would only detach it and leave the server running: stop the
    // traced server itself (strace's child), and strace exits with it.
    const tracer = server?.child.pid;
    if (tracer) {
      const children = readFileSync(`/proc/${tracer}/task/${tracer}/children`, "utf8").trim();
      for (const pid of children.split(/\s+/).filter(Boolean)) process.kill(Number(pid), "SIGTERM");
    }
    await server?.close();
    rmSync(traceDir, { recursive: true, force: true });
  });

  it("makes no connection and no DNS lookup beyond this machine (kernel view)", () => {
    const trace = readFileSync(traceFile, "utf8");
    assert.ok(trace.length > 0, "strace recorded the process");
    const elsewhere = destinations(trace).filter(
      (d) => !LOOPBACK.test(d) && !OWN.has(d) && !d.startsWith("unix:"),
    );
    assert.deepEqual([...new Set(elsewhere)], []);
    assert.doesNotMatch(trace, /htons\(53\)/, "no DNS query");
    assert.doesNotMatch(trace, /nscd|systemd-resolve/, "no resolver socket");
  });

  it("agrees with the server's own egress monitor, which the audit reads", async () => {
    const facts = (await (
      await fetch(`${server.url}/api/compliance/facts`)
    ).json()) as ComplianceFacts;
    assert.deepEqual(facts.egress.hosts, {});
  });
});
