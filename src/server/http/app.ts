import type { Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { ERRORS } from "../../protocol/errors";
import type { AccountServices } from "../account/services";
import { PasswordsBusy } from "../auth/passwords";
import { clientBuildDigest } from "../compliance/client-build";
import type { EgressMonitor } from "../compliance/egress-monitor";
import type { Config } from "../config/config";
import type { RoomDirectory } from "../room/directory";
import type { Store } from "../store/store";
import { StoreUnavailableError } from "../store/unavailable";
import type { TlsOptions } from "../tls/tls";
import { registerAuthRoutes } from "./auth";
import { registerComplianceRoutes } from "./compliance";
import { sendError } from "./errors";
import { registerSecurityHeaders, securityHeaders, setSecurityHeaders } from "./headers";
import { type MetricsAccess, registerMetricsRoute } from "./metrics";
import { registerMyRoomRoutes } from "./my-rooms";
import type { TrustProxy } from "./proxy";
import { registerRoomRoutes, UNAVAILABLE } from "./rooms";
import { registerClient } from "./static";

export interface AppDeps {
  store: Store;
  directory: RoomDirectory;
  log: Logger;
  clientDir: string;
  publicUrl: () => string;
  accounts: AccountServices;
  config: Config;
  egress: EgressMonitor;
  /** Whether this node should get traffic (a cluster node needs Redis and must not be draining). */
  ready?: () => { ok: true } | { ok: false; reason: string };
  /** Certificate, key and policy for built-in HTTPS; undefined = plain HTTP. */
  tls?: TlsOptions | undefined;
  /** Whose X-Forwarded-For/-Proto to believe (PLENUM_TRUSTED_PROXIES). */
  trustProxy?: TrustProxy | undefined;
  /** False once the server is shutting down: /readyz then sends traffic elsewhere. */
  accepting?: () => boolean;
  metrics?: { registry: Registry; access: MetricsAccess } | undefined;
}

/** The HTTP application: routes only, no listening socket (so tests can `inject`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const headers = securityHeaders(deps.config.cspAllow, deps.config.publicUrl.startsWith("https:"));
  // Fastify's own request logging would write URLs (room ids) and addresses: off.
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    // request.ip is the client behind a trusted proxy, the TCP peer otherwise.
    trustProxy: deps.trustProxy ? (address: string) => deps.trustProxy?.(address) === true : false,
    ...(deps.tls ? { serverFactory: httpsFactory(deps.tls) } : {}),
    // Left alone, Fastify answers a malformed URL or an over-long path parameter
    // itself: without the security headers, and echoing the path. Under
    // /api/rooms/ such an id is just one more room that cannot be joined (T4).
    // These replies skip the onSend hooks, so the headers are set here.
    frameworkErrors: (_error, request, reply: FastifyReply) => {
      setSecurityHeaders(reply, headers);
      if (request.url.startsWith("/api/rooms/")) return reply.code(404).send(UNAVAILABLE);
      return reply.code(400).send({ code: "bad-request", message: "The URL is malformed." });
    },
  });
  registerSecurityHeaders(app, headers);
  // Fastify's default for a thrown error is a 500 carrying the error's own message: no
  // internals to the outside, and a database outage is said as such (503, try again).
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof PasswordsBusy) return sendError(reply, "busy");
    if (error instanceof StoreUnavailableError) {
      deps.log.warn({ route: request.routeOptions.url }, "database unreachable");
      return reply
        .code(503)
        .send({ code: "store-unavailable", message: ERRORS["store-unavailable"] });
    }
    if (error.statusCode !== undefined && error.statusCode < 500) return reply.send(error);
    deps.log.error({ err: error, route: request.routeOptions.url }, "request failed");
    return reply.code(500).send({ code: "internal", message: ERRORS.internal });
  });
  app.get("/healthz", async (_request, reply) => {
    try {
      await deps.store.ping();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  // Ready = worth sending traffic to: the store answers, we are not on our way out and, in a
  // cluster, Redis answers and this node is not draining.
  app.get("/readyz", async (_request, reply) => {
    if (deps.accepting && !deps.accepting())
      return reply.code(503).send({ status: "shutting-down" });
    const ready = deps.ready?.() ?? { ok: true };
    if (!ready.ok) return reply.code(503).send({ status: "unavailable", reason: ready.reason });
    try {
      await deps.store.ping();
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });
  if (deps.metrics) registerMetricsRoute(app, deps.metrics.registry, deps.metrics.access);
  registerRoomRoutes(app, deps.directory, deps.publicUrl, {
    lobby: deps.config.defaultLobby,
    creation: deps.config.roomCreation,
    perAddressPerHour: deps.config.limits.roomsPerAddressPerHour,
    perHour: deps.config.limits.roomsPerHour,
    authenticate: deps.accounts.authenticate,
  });
  // Hashed once at start: what `plenum audit` and the meeting's encryption details report.
  const clientBuild = clientBuildDigest(deps.clientDir).catch(() => null);
  registerComplianceRoutes(app, {
    clientBuild,
    config: deps.config,
    publicUrl: deps.publicUrl,
    egress: deps.egress,
    authenticate: deps.accounts.authenticate,
    isAdmin: deps.accounts.isAdmin,
  });
  registerAuthRoutes(app, deps.accounts, deps.publicUrl, deps.log);
  registerMyRoomRoutes(app, {
    store: deps.store,
    directory: deps.directory,
    authenticate: deps.accounts.authenticate,
    publicUrl: deps.publicUrl,
  });
  await registerClient(app, deps.clientDir, clientBuild);
  return app;
}

/**
 * Fastify's own `https` option would type the whole app as an HTTPS instance;
 * the routes do not care, so the server is made here. `setSecureContext` on it
 * swaps the certificate on reload.
 */
function httpsFactory(tls: TlsOptions) {
  return (handler: Parameters<typeof createHttpsServer>[1]) =>
    createHttpsServer(tls, handler) as unknown as HttpServer;
}
