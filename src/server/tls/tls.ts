import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { SecureContextOptions } from "node:tls";
import { createSecureContext } from "node:tls";
import { ConfigError } from "../config/config";

/**
 * TLS 1.2 and 1.3 only (BSI TR-02102-2, COMPLIANCE T1). For 1.2, ECDHE key
 * exchange only, so a stolen key cannot decrypt recorded traffic (forward
 * secrecy), and AEAD ciphers only. TLS 1.3 suites are all forward-secret; they
 * must be listed too, or Node turns TLS 1.3 off when `ciphers` is given.
 */
export const TLS_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Everything the HTTPS server and every reload use: the files' contents and the policy. */
export type TlsOptions = SecureContextOptions & { cert: Buffer; key: Buffer };

/**
 * Reads and checks the certificate and key. Throws a ConfigError naming the
 * setting when a file cannot be read, is not PEM, or the key does not belong
 * to the certificate — at start, before anything listens.
 */
export function loadTls(files: TlsFiles): TlsOptions {
  const problems: string[] = [];
  const cert = read(files.certFile, "PLENUM_TLS_CERT", problems);
  const key = read(files.keyFile, "PLENUM_TLS_KEY", problems);
  if (!cert || !key) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw invalid(`PLENUM_TLS_CERT: ${files.certFile} holds no PEM certificate`);
  }
  const options: TlsOptions = {
    cert,
    key,
    minVersion: "TLSv1.2",
    maxVersion: "TLSv1.3",
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
  };
  try {
    // Parses the key and pairs it with the certificate exactly as the server will.
    createSecureContext(options);
  } catch (error) {
    const reason = (error as Error).message;
    throw invalid(
      /key values mismatch/i.test(reason)
        ? `PLENUM_TLS_KEY: ${files.keyFile} is not the key of the certificate in ${files.certFile}`
        : `PLENUM_TLS_KEY: ${files.keyFile} is not a usable private key (${reason})`,
    );
  }
  if (Date.parse(leaf.validTo) < Date.now())
    throw invalid(
      `PLENUM_TLS_CERT: the certificate in ${files.certFile} expired on ${leaf.validTo}`,
    );
  return options;
}

function read(path: string, variable: string, problems: string[]): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    problems.push(`  ${variable}: cannot read ${path} (${code})`);
    return undefined;
  }
}

function invalid(line: string): ConfigError {
  return new ConfigError(`Invalid configuration:\n  ${line}`);
}
