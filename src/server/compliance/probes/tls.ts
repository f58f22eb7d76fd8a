import { isIP } from "node:net";
import { connect, type SecureVersion } from "node:tls";
import type { Finding } from "../criteria";

const LOOPBACK = /^(127\.|::1$|localhost$|\[::1\]$)/;

/** Whether the server completes a handshake with these client limits. */
function handshake(
  host: string,
  port: number,
  version: SecureVersion,
  ciphers: string | undefined,
): Promise<{ ok: boolean; cipher?: string }> {
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      servername: isIP(host) ? undefined : host,
      minVersion: version,
      maxVersion: version,
      // SECLEVEL=0 lets this client offer old protocols and ciphers, so a
      // refusal is the server's and not this OpenSSL's.
      ciphers: ciphers ?? "DEFAULT@SECLEVEL=0",
      // The probe asks what is offered, not whether the certificate is trusted.
      rejectUnauthorized: false,
      timeout: 10_000,
    });
    const done = (ok: boolean) => {
      const cipher = ok ? socket.getCipher()?.name : undefined;
      socket.destroy();
      resolve({ ok, cipher });
    };
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/** Cipher suites without forward secrecy (static RSA key exchange), TLS 1.2 only. */
const NO_FORWARD_SECRECY =
  "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA:AES128-SHA256";

/** T1: TLS 1.2/1.3 with forward secrecy only (BSI TR-02102-2); plain HTTP only on loopback. */
export async function tlsFindings(url: string): Promise<Finding[]> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (u.protocol === "http:") {
    const loopback = LOOPBACK.test(host);
    return [
      {
        id: "T1",
        status: loopback ? "yellow" : "red",
        reason: loopback
          ? "plain HTTP on loopback: fine for a local instance; publish it only behind TLS (PLENUM_PUBLIC_URL=https://…)"
          : "plain HTTP on a non-loopback address: signalling is unencrypted",
        evidence: [`public URL: ${url}`],
      },
    ];
  }
  const port = Number(u.port || 443);
  const results = {
    TLSv1: await handshake(host, port, "TLSv1", undefined),
    "TLSv1.1": await handshake(host, port, "TLSv1.1", undefined),
    "TLSv1.2": await handshake(host, port, "TLSv1.2", undefined),
    "TLSv1.3": await handshake(host, port, "TLSv1.3", undefined),
    "TLSv1.2 without forward secrecy": await handshake(
      host,
      port,
      "TLSv1.2",
      `${NO_FORWARD_SECRECY}@SECLEVEL=0`,
    ),
  };
  const evidence = Object.entries(results).map(
    ([name, r]) => `${name}: ${r.ok ? `accepted${r.cipher ? ` (${r.cipher})` : ""}` : "refused"}`,
  );
  const bad = ["TLSv1", "TLSv1.1", "TLSv1.2 without forward secrecy"].filter(
    (k) => results[k as keyof typeof results].ok,
  );
  const good = results["TLSv1.2"].ok || results["TLSv1.3"].ok;
  return [
    {
      id: "T1",
      status: bad.length === 0 && good ? "green" : "red",
      reason:
        bad.length > 0
          ? `the server accepts ${bad.join(", ")}`
          : good
            ? "only TLS 1.2/1.3 with forward secrecy is accepted"
            : "no TLS 1.2 or 1.3 handshake succeeded",
      evidence,
    },
  ];
}
