import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * The browser may talk to this origin only (COMPLIANCE L4): scripts, styles,
 * images, fonts and connections. `'self'` covers ws:/wss: to the same host.
 * Media elements play MediaStreams, which need no source list. `allow` adds
 * operator-configured origins (PLENUM_CSP_ALLOW) to connections and form
 * targets only — never to scripts — and `plenum audit` reports each of them.
 */
export function contentSecurityPolicy(allow: readonly string[] = []): string {
  const extra = allow.map((o) => ` ${o}`).join("");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    `connect-src 'self'${extra}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${extra}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The headers every reply carries. */
export type SecurityHeaders = Record<string, string>;

export function securityHeaders(cspAllow: readonly string[] = [], https = false): SecurityHeaders {
  return {
    // Published over HTTPS, the browser must never fall back to plain HTTP (T1).
    ...(https ? { "strict-transport-security": "max-age=31536000; includeSubDomains" } : {}),
    "content-security-policy": contentSecurityPolicy(cspAllow),
    // Room links must not travel to any other site in a Referer header.
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy":
      "camera=(self), microphone=(self), display-capture=(self), geolocation=(), interest-cohort=()",
  };
}

export function registerSecurityHeaders(app: FastifyInstance, headers: SecurityHeaders): void {
  app.addHook("onSend", async (_request, reply, payload) => {
    setSecurityHeaders(reply, headers);
    return payload;
  });
}

/** For replies that bypass the hooks (Fastify's framework errors). */
export function setSecurityHeaders(reply: FastifyReply, headers: SecurityHeaders): void {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
}
