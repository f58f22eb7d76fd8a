import { createServer } from "node:net";

/**
 * A TCP port on loopback (or on `host`, e.g. a test network's address) that
 * was free a moment ago, for servers (PostgreSQL, Redis) that cannot report
 * the port they bound, or that must know it before they start. Another
 * process could take it in between; on a test machine that is rare enough.
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
