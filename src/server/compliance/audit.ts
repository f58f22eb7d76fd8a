import { combine, type Finding, type Report } from "./criteria";
import type { ComplianceFacts } from "./facts";
import { browserFindings, observeInBrowser, type Progress } from "./probes/browser";
import { databaseFindings } from "./probes/database";
import { dependencyFindings } from "./probes/dependencies";
import { headerFindings } from "./probes/headers";
import { settingsFindings } from "./probes/settings";
import { tlsFindings } from "./probes/tls";

export interface AuditOptions {
  url: string;
  chromium: string;
  /** The database file, when the audit runs on the server itself; else those checks are grey. */
  databaseFile: string | undefined;
  progress?: Progress;
}

/**
 * Runs every probe against a live deployment and combines their findings
 * into one status per criterion. The browser call runs before the server's
 * egress is read, so connections it caused are included.
 */
export async function runAudit(options: AuditOptions): Promise<Report> {
  const url = options.url.replace(/\/$/, "");
  const progress = options.progress ?? (() => undefined);
  const findings: Finding[] = [];
  progress("headers");
  const start = await fetch(`${url}/`, { redirect: "manual" }).catch((error: Error) => {
    throw new Error(`cannot reach ${url} (${error.message}); is the server running?`);
  });
  await start.arrayBuffer();
  const facts = await fetchFacts(url);
  const idp = facts?.integrations.oidcIssuer
    ? new URL(facts.integrations.oidcIssuer).origin
    : undefined;
  findings.push(...headerFindings(start.headers, url, idp));
  progress("tls");
  findings.push(...(await tlsFindings(url)));
  findings.push(...browserFindings(await observeInBrowser(url, options.chromium, progress), url));
  progress("settings");
  const after = await fetchFacts(url);
  if (after) findings.push(...settingsFindings(after));
  else
    findings.push({
      id: "L1",
      status: "red",
      reason: "the server did not report its settings (/api/compliance/facts)",
      evidence: [],
    });
  if (options.databaseFile) findings.push(...databaseFindings(options.databaseFile));
  progress("dependencies");
  findings.push(...(await dependencyFindings()));
  return combine(findings, url);
}

async function fetchFacts(url: string): Promise<ComplianceFacts | undefined> {
  const response = await fetch(`${url}/api/compliance/facts`);
  if (!response.ok) return undefined;
  return (await response.json()) as ComplianceFacts;
}
