import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ConnectionOptions, connect, type TLSSocket } from "node:tls";
import { tlsFindings } from "../../src/server/compliance/probes/tls";
import { makeCertificate, type TestCertificate } from "../support/certificates";
import { startServerProcess } from "../support/process";
import { STUB_INDEX_HTML, startTestServer, type TestServer } from "../support/server";
import { waitFor } from "../support/wait";

type Outcome =
  | { ok: true; protocol: string | null; cipher: string; fingerprint: string }
  | { ok: false; code: string };

/** One TLS handshake with `options`; the outcome, never a throw. */
function handshake(port: number, options: ConnectionOptions = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(
      { host: "127.0.0.1", port, rejectUnauthorized: false, ...options },
      () => {
        resolve({
          ok: true,
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().name,
          fingerprint: socket.getPeerCertificate().fingerprint256,
        });
        socket.destroy();
      },
    );
    socket.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: error.code ?? error.message }),
    );
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe("built-in HTTPS", () => {
  let dir: string;
  let cert: TestCertificate;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "plenum-tls-"));
    cert = makeCertificate(dir, "first");
    server = await startTestServer({
      PLENUM_TLS_CERT: cert.certFile,
      PLENUM_TLS_KEY: cert.keyFile,
    });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the application over HTTPS with its own certificate, and says so in its address", async () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const response = await httpsGet(portOf(server.url), "/healthz", cert.pem);
    assert.equal(response.status, 200);
    assert.match(response.body, /"ok"/);
    assert.match(response.headers, /strict-transport-security: max-age=31536000/i);
  });

  it("speaks TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20", async () => {
    const port = portOf(server.url);
    const v13 = await handshake(port);
    assert.deepEqual(v13.ok && [v13.protocol, v13.fingerprint], ["TLSv1.3", cert.fingerprint]);
    for (const cipher of ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"]) {
      const v12 = await handshake(port, { maxVersion: "TLSv1.2", ciphers: cipher });
      assert.deepEqual(v12.ok && [v12.protocol, v12.cipher], ["TLSv1.2", cipher]);
    }
  });

  it("refuses TLS 1.1 (the server answers with a protocol_version alert)", async () => {
    // SECLEVEL=0 lets this client offer TLS 1.1 at all; the refusal must come from the server.
    const old = await handshake(portOf(server.url), {
      minVersion: "TLSv1.1",
      maxVersion: "TLSv1.1",
      ciphers: "DEFAULT@SECLEVEL=0",
    });
    assert.deepEqual(old, { ok: false, code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" });
  });

  it("refuses key exchanges without forward secrecy and CBC suites (handshake_failure alert)", async () => {
    for (const ciphers of [
      "AES128-GCM-SHA256",
      "AES256-SHA256",
      "DHE-RSA-AES128-GCM-SHA256",
      "ECDHE-RSA-AES128-SHA",
    ]) {
      const outcome = await handshake(portOf(server.url), { maxVersion: "TLSv1.2", ciphers });
      assert.deepEqual(
        outcome,
        { ok: false, code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" },
        `${ciphers} must be refused`,
      );
    }
  });
});

describe("the audit's view of built-in HTTPS", () => {
  it("rates it green on COMPLIANCE T1 (TLS 1.2/1.3 with forward secrecy only)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plenum-tls-"));
    const cert = makeCertificate(dir, "audit");
    const server = await startTestServer({
      PLENUM_TLS_CERT: cert.certFile,
      PLENUM_TLS_KEY: cert.keyFile,
    });
    try {
      const [t1] = await tlsFindings(server.url);
      assert.equal(t1?.status, "green", t1?.evidence.join("; "));
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("certificate reload on SIGHUP", () => {
  it("serves the new certificate to new connections, keeps open ones, and keeps the old one on a bad reload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plenum-tls-"));
    const first = makeCertificate(dir, "first");
    const second = makeCertificate(dir, "second");
    const live = { certFile: join(dir, "live.crt"), keyFile: join(dir, "live.key") };
    copyFileSync(first.certFile, live.certFile);
    copyFileSync(first.keyFile, live.keyFile);
    writeFileSync(join(dir, "index.html"), STUB_INDEX_HTML);
    const server = await startServerProcess({
      PLENUM_TLS_CERT: live.certFile,
      PLENUM_TLS_KEY: live.keyFile,
      PLENUM_CLIENT_DIR: dir,
    });
    let open: TLSSocket | undefined;
    try {
      const port = portOf(server.url);
      const before = await handshake(port);
      assert.equal(before.ok && before.fingerprint, first.fingerprint);
      open = await keepAlive(port);
      assert.match(await ask(open), /^HTTP\/1\.1 200/);

      copyFileSync(second.certFile, live.certFile);
      copyFileSync(second.keyFile, live.keyFile);
      server.child.kill("SIGHUP");
      await waitFor("the new certificate on a new connection", async () => {
        const now = await handshake(port);
        return now.ok && now.fingerprint === second.fingerprint;
      });
      // The connection opened before the reload still works, on its old certificate.
      assert.match(await ask(open), /^HTTP\/1\.1 200/);
      assert.equal(open.getPeerCertificate().fingerprint256, first.fingerprint);

      // A key that does not belong to the certificate: refused, logged, the second one stays.
      copyFileSync(first.keyFile, live.keyFile);
      server.child.kill("SIGHUP");
      await waitFor("the failed reload in the log", () =>
        /tls: reload failed, still serving the previous certificate/.test(server.output()),
      );
      assert.match(server.output(), /is not the key of the certificate/);
      const still = await handshake(port);
      assert.equal(still.ok && still.fingerprint, second.fingerprint);
      assert.equal(server.child.exitCode, null, "the server keeps running");
    } finally {
      open?.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bad certificate files at start", () => {
  it("exits with status 2 naming the setting, for a missing file and for a key of another certificate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plenum-tls-"));
    try {
      const a = makeCertificate(dir, "a");
      const b = makeCertificate(dir, "b");
      writeFileSync(join(dir, "garbage.crt"), "not a certificate\n");
      const cases: [Record<string, string>, RegExp][] = [
        [
          { PLENUM_TLS_CERT: join(dir, "missing.crt"), PLENUM_TLS_KEY: a.keyFile },
          /PLENUM_TLS_CERT: cannot read .*missing\.crt \(ENOENT\)/,
        ],
        [
          { PLENUM_TLS_CERT: a.certFile, PLENUM_TLS_KEY: b.keyFile },
          /PLENUM_TLS_KEY: .*b\.key is not the key of the certificate in .*a\.crt/,
        ],
        [
          { PLENUM_TLS_CERT: join(dir, "garbage.crt"), PLENUM_TLS_KEY: a.keyFile },
          /PLENUM_TLS_CERT: .*garbage\.crt holds no PEM certificate/,
        ],
        [{ PLENUM_TLS_CERT: a.certFile }, /PLENUM_TLS_KEY: required when PLENUM_TLS_CERT is set/],
      ];
      for (const [env, message] of cases) {
        await assert.rejects(
          startServerProcess({ ...env, PLENUM_CLIENT_DIR: dir }),
          (error: Error) => {
            assert.match(error.message, /exited with 2/);
            assert.match(error.message, message);
            return true;
          },
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A GET over HTTPS trusting only `ca`. */
async function httpsGet(
  port: number,
  path: string,
  ca: string,
): Promise<{ status: number; headers: string; body: string }> {
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, ca }, () => resolve(s));
    s.once("error", reject);
  });
  try {
    const text = await ask(socket, path, "close");
    const [head = "", body = ""] = text.split("\r\n\r\n");
    return { status: Number(head.split(" ")[1]), headers: head, body };
  } finally {
    socket.destroy();
  }
}

function keepAlive(port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => resolve(s));
    s.once("error", reject);
  });
}

/** One HTTP/1.1 request on an open socket; resolves with the whole response once it is complete. */
function ask(socket: TLSSocket, path = "/healthz", connection = "keep-alive"): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? Number.NaN);
      if (text.includes("\r\n\r\n") && body.length >= length) done();
    };
    const onEnd = () => done();
    const done = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", reject);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: ${connection}\r\n\r\n`);
  });
}
