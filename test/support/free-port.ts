import { createServer } from "node:net";

/**
 * A TCP port on `host` (loopback, or an address of a test network) that was
 * free a moment ago, for servers (PostgreSQL, Redis, a Plenum behind a test
 * network) that cannot report the port they bound. Another process could
 * take it in between; on a test machine that is rare enough.
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
