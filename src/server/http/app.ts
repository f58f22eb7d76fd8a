import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { AccountServices } from "../account/services";
import type { EgressMonitor } from "../compliance/egress-monitor";
import type { Config } from "../config/config";
import type { RoomDirectory } from "../room/directory";
import type { Store } from "../store/store";
import { registerAuthRoutes } from "./auth";
import { registerComplianceRoutes } from "./compliance";
import { registerSecurityHeaders, securityHeaders, setSecurityHeaders } from "./headers";
import { registerMyRoomRoutes } from "./my-rooms";
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
}

/** The HTTP application: routes only, no listening socket (so tests can `inject`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const headers = securityHeaders(deps.config.cspAllow, deps.config.publicUrl.startsWith("https:"));
  // Fastify's own request logging would write URLs (room ids) and addresses: off.
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
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
  app.get("/healthz", async (_request, reply) => {
    try {
      await deps.store.ping();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  // Readiness for a load balancer: the store answers and, in a cluster, Redis does.
  app.get("/readyz", async (_request, reply) => {
    const ready = deps.ready?.() ?? { ok: true };
    if (!ready.ok) return reply.code(503).send({ status: "unavailable", reason: ready.reason });
    try {
      await deps.store.ping();
      return { status: "ok" };
    } catch {
      return reply.code(503).send({ status: "unavailable", reason: "database unreachable" });
    }
  });
  registerRoomRoutes(app, deps.directory, deps.publicUrl, deps.config.defaultLobby);
  registerComplianceRoutes(app, {
    config: deps.config,
    publicUrl: deps.publicUrl,
    egress: deps.egress,
    authenticate: deps.accounts.authenticate,
  });
  registerAuthRoutes(app, deps.accounts, deps.publicUrl, deps.log);
  registerMyRoomRoutes(app, {
    store: deps.store,
    directory: deps.directory,
    authenticate: deps.accounts.authenticate,
    publicUrl: deps.publicUrl,
  });
  await registerClient(app, deps.clientDir);
  return app;
}
