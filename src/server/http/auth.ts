import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { MAX_PASSWORD_LENGTH } from "../account/accounts";
import { clearedSessionCookie, sessionCookie, sessionTokenOf } from "../account/cookie";
import { OidcNotAllowed } from "../account/oidc";
import type { AccountServices } from "../account/services";
import { sendError } from "./errors";
import { noStore, sameOriginJson } from "./private-api";

const LoginBody = z.strictObject({
  username: z.string().max(256),
  password: z.string().max(MAX_PASSWORD_LENGTH),
});

/** Binds an OIDC login to the browser that started it; lives only for the round trip. */
const OIDC_STATE_COOKIE = "plenum_oidc";
const OIDC_PATH = "/api/auth/oidc";

/** Sign-in and sign-out: password, OpenID Connect, and who am I. */
export function registerAuthRoutes(
  app: FastifyInstance,
  services: AccountServices,
  publicUrl: () => string,
  log: Logger,
): void {
  const { sessions, login, oidc, authenticate, secureCookies } = services;
  /**
   * Sets the new session's cookie and ends the one the browser had, if any: a
   * fresh token at every sign-in, and no orphaned sessions left to expire.
   */
  const signIn = async (request: FastifyRequest, reply: FastifyReply, token: string) => {
    const previous = sessionTokenOf(request.raw);
    if (previous) await sessions.destroy(previous);
    reply.header("set-cookie", sessionCookie(token, sessions.lifetimeSeconds, secureCookies));
  };

  app.register(async (scope) => {
    scope.addHook("onRequest", sameOriginJson(publicUrl));
    scope.addHook("onSend", noStore);

    scope.post("/api/auth/login", async (request, reply) => {
      const body = LoginBody.safeParse(request.body);
      if (!body.success) return sendError(reply, "bad-request");
      const { username, password } = body.data;
      // In memory only, for the per-address throttle; never logged or stored.
      // request.ip: the client behind a trusted proxy (PLENUM_TRUSTED_PROXIES), else the peer.
      const address = request.ip;
      const result = await login.login(username, password, address);
      if (result.outcome === "throttled") {
        reply.header("retry-after", String(Math.ceil(result.retryAfterMs / 1000)));
        return sendError(reply, "login-throttled");
      }
      if (result.outcome === "failed") return sendError(reply, "login-failed");
      await signIn(request, reply, result.token);
      return { username: result.account.username };
    });

    scope.post("/api/auth/logout", async (request, reply) => {
      const token = sessionTokenOf(request.raw);
      if (token) await sessions.destroy(token);
      return reply.header("set-cookie", clearedSessionCookie(secureCookies)).code(204).send();
    });

    scope.get("/api/auth/me", async (request, reply) => {
      const account = await authenticate(request.raw);
      if (!account) return sendError(reply, "not-signed-in");
      return { username: account.username };
    });

    scope.get("/api/auth/options", async () => ({ password: true, oidc: oidc !== undefined }));
  });

  app.get(`${OIDC_PATH}/start`, async (_request, reply) => {
    if (!oidc) return sendError(reply, "oidc-disabled");
    let started: { url: string; state: string };
    try {
      started = await oidc.start();
    } catch (err) {
      log.warn({ err: summary(err) }, "oidc: provider discovery failed");
      return reply.redirect("/login?error=oidc-unavailable", 303);
    }
    return reply
      .header(
        "set-cookie",
        `${OIDC_STATE_COOKIE}=${started.state}; Max-Age=600; Path=${OIDC_PATH}; HttpOnly; SameSite=Lax${secureCookies ? "; Secure" : ""}`,
      )
      .redirect(started.url, 303);
  });

  app.get(`${OIDC_PATH}/callback`, async (request, reply) => {
    if (!oidc) return sendError(reply, "oidc-disabled");
    reply.header(
      "set-cookie",
      `${OIDC_STATE_COOKIE}=; Max-Age=0; Path=${OIDC_PATH}; HttpOnly; SameSite=Lax${secureCookies ? "; Secure" : ""}`,
    );
    const bound = new RegExp(`(?:^|;\\s*)${OIDC_STATE_COOKIE}=([A-Za-z0-9_-]+)`).exec(
      request.headers.cookie ?? "",
    )?.[1];
    try {
      const identity = await oidc.finish(new URL(request.url, publicUrl()), bound);
      const account = await services.accounts.fromOidc(
        identity.issuer,
        identity.subject,
        identity.suggestion,
      );
      await signIn(request, reply, await sessions.create(account.id));
      return reply.redirect("/my", 303);
    } catch (err) {
      if (err instanceof OidcNotAllowed) {
        // Who it was stays out of the log; that someone was refused is worth knowing.
        log.info("oidc: sign-in refused, the required claim is missing");
        return reply.redirect("/login?error=oidc-not-allowed", 303);
      }
      log.warn({ err: summary(err) }, "oidc: login failed");
      return reply.redirect("/login?error=oidc-failed", 303);
    }
  });
}

/**
 * Only the kind of failure: openid-client's errors can carry the provider's
 * response, which may include codes or claims that have no place in a log.
 */
function summary(err: unknown): { name: string; code?: string } {
  if (!(err instanceof Error)) return { name: "unknown" };
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? { name: err.name, code } : { name: err.name };
}
