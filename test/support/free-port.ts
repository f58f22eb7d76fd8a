import { createServer } from "node:net";

/**
 * A TCP port on loopback that was free a moment ago, for servers (PostgreSQL,
 * Redis) that cannot report the port they bound. Another process could take
 * it in between; on loopback of a test machine that is rare enough.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
