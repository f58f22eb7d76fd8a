import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { METRICS_CONTENT_TYPE, renderMetrics } from "../observability/metrics";

export interface MetricsAccess {
  /** A Bearer token Prometheus sends; undefined = none. */
  token: string | undefined;
  /** Whether an internal listener serves the metrics (then the public port never does). */
  internal: boolean;
}

/**
 * `/metrics` on the public port: only with a token and no internal listener.
 * Otherwise it answers 404 like any unknown path, so an open server does not
 * even tell that it has metrics.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  registry: Registry,
  access: MetricsAccess,
): void {
  const token = access.token;
  if (!token || access.internal) return;
  app.get("/metrics", async (request, reply) => {
    if (!bearerMatches(request.raw, token)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="metrics"')
        .send({ code: "unauthorized", message: "A metrics token is required." });
    }
    return reply
      .header("content-type", METRICS_CONTENT_TYPE)
      .header("cache-control", "no-store")
      .send(await renderMetrics(registry));
  });
}

/** Compares in constant time, so the token cannot be guessed byte by byte from timing. */
function bearerMatches(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export interface MetricsListener {
  /** e.g. http://10.0.0.5:9100/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * A plain HTTP listener for the operator's internal network
 * (PLENUM_METRICS_ADDRESS) that serves `/metrics` and nothing else; with a
 * token configured it is required here as well.
 */
export async function startMetricsListener(
  address: { host: string; port: number },
  registry: Registry,
  token: string | undefined,
): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = request.url?.split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
      return;
    }
    if (token && !bearerMatches(request, token)) {
      response
        .writeHead(401, { "www-authenticate": 'Bearer realm="metrics"' })
        .end("A metrics token is required.\n");
      return;
    }
    renderMetrics(registry).then(
      (body) =>
        response
          .writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" })
          .end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/metrics`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
