import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../config/config";
import { Store } from "../store/store";
import { runAudit } from "./audit";
import { hasRed } from "./criteria";
import { auditDependencies, DEPENDENCY_REPORT, writeDependencyReport } from "./dependency-audit";
import { type Doc, toHtml, toMarkdown } from "./document";
import { htmlToPdf } from "./pdf";
import { recordOfProcessing, toms } from "./records";
import { reportHtml, reportJson, reportMarkdown } from "./report";
import { eraseSubject, exportSubject } from "./subject";

export const AUDIT_USAGE = `Usage: plenum audit [--url URL] [--format md|json|html] [--out FILE]

Checks a running deployment against every criterion of COMPLIANCE.md. Default URL:
PLENUM_PUBLIC_URL (or http://PLENUM_HOST:PLENUM_PORT). Exit 1 when anything is red.
Run on the server itself, it also scans the database in PLENUM_DATA_DIR.
`;

function usage(text: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(text);
  return code;
}

function write(out: string | undefined, data: string | Buffer): void {
  if (out) writeFileSync(out, data);
  else process.stdout.write(data);
}

/** `plenum audit`: 0 nothing red, 1 something red, 2 usage. */
export async function auditCommand(args: string[], config: Config): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      format: { type: "string", default: "md" },
      out: { type: "string" },
    },
  });
  const render = { md: reportMarkdown, json: reportJson, html: reportHtml }[values.format ?? "md"];
  if (!render) return usage(AUDIT_USAGE, 2);
  const url = values.url ?? config.publicUrl;
  const local = url.replace(/\/$/, "") === config.publicUrl;
  const report = await runAudit({
    url,
    chromium: config.chromiumPath,
    // The file probe reads SQLite's file; a PostgreSQL server is the operator's to secure.
    databaseFile: local && !config.databaseUrl ? join(config.dataDir, "plenum.db") : undefined,
    progress: (step) => process.stderr.write(`audit: ${step}\n`),
  });
  write(values.out, render(report));
  return hasRed(report) ? 1 : 0;
}

export const AUDIT_DEPS_USAGE = `Usage: plenum audit-deps [--out FILE]

Runs "npm audit --omit=dev" for this installation and writes its findings to FILE, by default
${DEPENDENCY_REPORT}, which "plenum audit" and /admin/compliance read (T6).
Needs the package registry: run it on the build machine, in the container build or as
a regular job where the registry is reachable. The server itself never contacts it.
Exit 0 report written, 1 npm audit failed (nothing written), 2 usage.
`;

/** `plenum audit-deps`: the dependency audit report, refreshed. */
export async function auditDepsCommand(args: string[], _config: Config): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { out: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) return usage(AUDIT_DEPS_USAGE, 0);
  const out = values.out ?? DEPENDENCY_REPORT;
  const report = await auditDependencies();
  await writeDependencyReport(report, out);
  process.stdout.write(
    `Dependency audit written to ${out}: ${JSON.stringify(report.vulnerabilities)}\n`,
  );
  return 0;
}

export const DOCS_USAGE = `Usage: plenum docs record-of-processing|toms [--format md|pdf] [--lang en|de] [--out FILE]
`;

/** `plenum docs`: the Art. 30 record or the Art. 32 TOMs, from the configuration. */
export async function docsCommand(args: string[], config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "md" },
      lang: { type: "string", default: "en" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return usage(DOCS_USAGE, 0);
  const make: Record<string, (c: Config, lang: "en" | "de") => Doc> = {
    "record-of-processing": recordOfProcessing,
    toms,
  };
  const build = make[positionals[0] ?? ""];
  const lang = values.lang;
  if (
    !build ||
    positionals.length !== 1 ||
    !["md", "pdf"].includes(values.format ?? "") ||
    (lang !== "en" && lang !== "de")
  )
    return usage(DOCS_USAGE, 2);
  const doc = build(config, lang);
  if (values.format === "pdf") {
    if (!values.out) {
      process.stderr.write("A PDF needs --out FILE.\n");
      return 2;
    }
    write(values.out, await htmlToPdf(toHtml(doc), config.chromiumPath));
  } else write(values.out, toMarkdown(doc));
  return 0;
}

export const SUBJECT_USAGE = `Usage: plenum subject export|erase --account USERNAME

  export   Print everything stored about the account as JSON (Art. 15, 20 GDPR)
  erase    Delete the account, its sign-in sessions, rooms and their audit events (Art. 17)
`;

/** `plenum subject`: 0 done, 1 no such account, 2 usage. */
export async function subjectCommand(args: string[], config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { account: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) return usage(SUBJECT_USAGE, 0);
  const action = positionals[0];
  if (!values.account || positionals.length !== 1 || (action !== "export" && action !== "erase"))
    return usage(SUBJECT_USAGE, 2);
  const store = await Store.open(config);
  try {
    if (action === "export") {
      const data = await exportSubject(store, values.account);
      if (data) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else process.stderr.write("No such account.\n");
      return data ? 0 : 1;
    }
    const erased = await eraseSubject(store, values.account);
    process.stdout.write(erased ? "Erased the account and everything stored about it.\n" : "");
    if (!erased) process.stderr.write("No such account.\n");
    return erased ? 0 : 1;
  } finally {
    await store.close();
  }
}
