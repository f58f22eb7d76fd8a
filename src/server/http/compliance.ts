import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { AuditRun } from "../../protocol/compliance";
import type { AccountRef, Authenticate } from "../auth/account";
import { runAudit } from "../compliance/audit";
import type { ClientBuild } from "../compliance/client-build";
import { toHtml } from "../compliance/document";
import type { EgressMonitor } from "../compliance/egress-monitor";
import { complianceFacts } from "../compliance/facts";
import { privacyNotice } from "../compliance/privacy";
import type { Config } from "../config/config";
import { sendError } from "./errors";
import { noStore, sameOriginJson } from "./private-api";

export interface ComplianceDeps {
  /** The served client's SHA-256 (null when it could not be read). */
  clientBuild: Promise<ClientBuild | null>;
  config: Config;
  publicUrl: () => string;
  egress: EgressMonitor;
  authenticate: Authenticate;
  /** PLENUM_ADMINS, with provider accounts named by issuer and subject (SPEC OIDC-2). */
  isAdmin(account: AccountRef): Promise<boolean>;
}

/**
 * The privacy notice (public), the server's facts about itself (public: only
 * settings, never about a person), and the audit for administrators.
 */
export function registerComplianceRoutes(app: FastifyInstance, deps: ComplianceDeps): void {
  const { config } = deps;
  app.get<{ Querystring: { lang?: string } }>("/privacy", async (request, reply) => {
    const lang = pickLanguage(request.query.lang, request.headers["accept-language"]);
    const other = lang === "de" ? "en" : "de";
    const nav = `<p><a href="/privacy?lang=${other}" lang="${other}">${other === "de" ? "Deutsch" : "English"}</a> · <a href="/">${lang === "de" ? "Zur Startseite" : "Start page"}</a></p>`;
    return reply
      .type("text/html; charset=utf-8")
      .header("content-language", lang)
      .send(toHtml(privacyNotice(config, lang), nav));
  });

  app.get("/api/compliance/facts", async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return complianceFacts(config, deps.publicUrl(), deps.egress.hosts(), await deps.clientBuild);
  });

  let run: AuditRun = { state: "idle" };
  app.register(async (scope) => {
    scope.addHook("onRequest", sameOriginJson(deps.publicUrl));
    scope.addHook("onSend", noStore);
    scope.addHook("onRequest", async (request, reply) => {
      const who = await deps.authenticate(request.raw);
      if (!who) return sendError(reply, "not-signed-in");
      if (!(await deps.isAdmin(who))) return sendError(reply, "not-admin");
    });
    scope.get("/api/admin/compliance", async () => run);
    scope.post("/api/admin/compliance", async (_request, reply) => {
      if (run.state !== "running") {
        run = { state: "running", step: "start" };
        runAudit({
          url: deps.publicUrl(),
          chromium: config.chromiumPath,
          databaseFile: config.databaseUrl ? undefined : join(config.dataDir, "plenum.db"),
          progress: (step) => {
            run = { state: "running", step };
          },
        }).then(
          (report) => {
            run = { state: "done", report };
          },
          (error: Error) => {
            run = { state: "failed", message: error.message };
          },
        );
      }
      return reply.code(202).send(run);
    });
  });
}

function pickLanguage(query: string | undefined, accept: string | undefined): "en" | "de" {
  if (query === "de" || query === "en") return query;
  for (const tag of (accept ?? "").split(",")) {
    const primary = tag.trim().slice(0, 2).toLowerCase();
    if (primary === "de" || primary === "en") return primary;
  }
  return "en";
}
