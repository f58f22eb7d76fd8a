/** Hooks for every route that acts on a signed-in person's behalf (`/api/auth/`, `/api/my/`). */
import type { FastifyReply, FastifyRequest } from "fastify";
import { sendError } from "./errors";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery defence for cookie-authenticated routes, on top
 * of SameSite=Lax: a state-changing request must be JSON (a cross-site form
 * cannot send that without a CORS preflight, which is never granted) and must
 * carry this site's Origin, which browsers always send on such requests.
 */
export function sameOriginJson(publicUrl: () => string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE.has(request.method)) return;
    const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") return sendError(reply, "json-required");
    if (request.headers.origin !== new URL(publicUrl()).origin)
      return sendError(reply, "cross-origin");
  };
}

/** Answers about a signed-in person are private: no browser or proxy may keep a copy. */
export async function noStore(_request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  reply.header("cache-control", "no-store");
  return payload;
}
