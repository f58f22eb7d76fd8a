import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** SHA-256 fingerprint as node:tls reports it (`AA:BB:…`). */
  fingerprint: string;
  pem: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 from the openssl CLI. RSA,
 * because only an RSA certificate makes the non-forward-secret RSA key
 * exchange possible at all — so refusing it proves the server's policy.
 */
export function makeCertificate(dir: string, name: string): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const pem = readFileSync(certFile, "utf8");
  return { certFile, keyFile, pem, fingerprint: new X509Certificate(pem).fingerprint256 };
}
