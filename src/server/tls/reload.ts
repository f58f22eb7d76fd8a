import type { Server } from "node:https";
import type { Logger } from "pino";
import { loadTls, type TlsFiles } from "./tls";

/**
 * Reads the certificate and key again and uses them for new connections;
 * open connections keep theirs (setSecureContext), so renewing a certificate
 * drops no meeting. A bad pair is logged and the old one kept: a reload must
 * never leave the server without a certificate.
 */
export function reloadTls(server: Server, files: TlsFiles, log: Logger): boolean {
  try {
    server.setSecureContext(loadTls(files));
    log.info("tls: certificate and key reloaded");
    return true;
  } catch (error) {
    log.error(
      { problem: (error as Error).message.replace(/^Invalid configuration:\s*/, "").trim() },
      "tls: reload failed, still serving the previous certificate",
    );
    return false;
  }
}
