import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createServer, type TlsOptions } from "node:tls";
import { tlsFindings } from "./tls";

/** A TLS listener on loopback with a throwaway self-signed certificate. */
describe("TLS probe (T1)", () => {
  const dir = mkdtempSync(join(tmpdir(), "plenum-tls-"));
  let key: Buffer;
  let cert: Buffer;
  before(() => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    key = readFileSync(join(dir, "key.pem"));
    cert = readFileSync(join(dir, "cert.pem"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function probe(options: TlsOptions) {
    const server = createServer({ key, cert, ...options }, (s) => s.end());
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as AddressInfo;
      const [finding] = await tlsFindings(`https://127.0.0.1:${port}`);
      return finding;
    } finally {
      await new Promise((done) => server.close(done));
    }
  }

  it("is green for TLS 1.2/1.3 with forward-secret suites only", async () => {
    const f = await probe({
      minVersion: "TLSv1.2",
      ciphers: "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384",
    });
    assert.equal(f?.status, "green", JSON.stringify(f));
    assert.ok(f?.evidence.includes("TLSv1: refused"));
  });

  it("is red when old protocols or suites without forward secrecy are accepted", async () => {
    const f = await probe({ minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
    assert.equal(f?.status, "red", JSON.stringify(f));
    assert.match(f?.reason ?? "", /accepts .*TLSv1/);
  });

  it("accepts plain HTTP only on loopback, and then only as yellow", async () => {
    assert.equal((await tlsFindings("http://127.0.0.1:8080"))[0]?.status, "yellow");
    assert.equal((await tlsFindings("http://meet.example.org"))[0]?.status, "red");
  });
});
