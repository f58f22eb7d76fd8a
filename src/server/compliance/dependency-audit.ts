/**
 * The dependency audit (T6) as a report file, made by a job and read by the
 * audit. `npm audit` asks the package registry and takes up to a minute: a
 * production server should neither phone out nor stall its meetings for it.
 * So `plenum audit-deps` runs it where the registry is reachable (the build
 * machine, the container build, a cron job) and writes dist/dependency-audit.json
 * beside the built server; `plenum audit` and /admin/compliance only read it.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

/** The installation: package.json, package-lock.json, node_modules, dist/. */
export const PACKAGE_ROOT = resolve(import.meta.dirname, "../../..");
export const DEPENDENCY_REPORT = join(PACKAGE_ROOT, "dist/dependency-audit.json");
export const NPM_AUDIT = ["audit", "--omit=dev", "--json"];

export type Severity = "info" | "low" | "moderate" | "high" | "critical";

export interface DependencyReport {
  /** When `npm audit` ran (ISO 8601). */
  createdAt: string;
  /** SHA-256 of package-lock.json then: a report about other dependencies is not this one's. */
  lockSha256: string;
  /** Vulnerable runtime packages by severity, as npm counts them. */
  vulnerabilities: Record<Severity, number>;
  /** Which packages, with their worst severity. */
  packages: { name: string; severity: Severity }[];
}

/** SHA-256 of the installation's lock file, or "" when it has none. */
export async function lockHash(root = PACKAGE_ROOT): Promise<string> {
  const lock = await readFile(join(root, "package-lock.json")).catch(() => undefined);
  return lock ? createHash("sha256").update(lock).digest("hex") : "";
}

/**
 * Runs `npm audit --omit=dev --json` in `root` (asynchronously; the registry
 * is npm's configured one) and returns its findings as a report.
 */
export async function auditDependencies(
  root = PACKAGE_ROOT,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DependencyReport> {
  const stdout = await new Promise<string>((done, fail) => {
    execFile(
      "npm",
      NPM_AUDIT,
      { cwd: root, env, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      // npm audit exits 1 when it found something; its JSON on stdout is what counts.
      (error, out, err) => {
        if (out.trim().startsWith("{")) done(out);
        else fail(new Error(`npm ${NPM_AUDIT.join(" ")} failed: ${(err || error?.message) ?? ""}`));
      },
    );
  });
  const parsed = JSON.parse(stdout) as {
    /** npm's own words when the registry refused, e.g. "405 Method Not Allowed - POST …". */
    message?: string;
    error?: { summary?: string };
    metadata?: { vulnerabilities?: Partial<Record<Severity, number>> };
    vulnerabilities?: Record<string, { severity: Severity }>;
  };
  const counts = parsed.metadata?.vulnerabilities;
  if (!counts)
    throw new Error(
      `npm audit gave no result: ${parsed.message || parsed.error?.summary || "no registry reachable?"}`,
    );
  return {
    createdAt: new Date().toISOString(),
    lockSha256: await lockHash(root),
    vulnerabilities: {
      info: counts.info ?? 0,
      low: counts.low ?? 0,
      moderate: counts.moderate ?? 0,
      high: counts.high ?? 0,
      critical: counts.critical ?? 0,
    },
    packages: Object.entries(parsed.vulnerabilities ?? {}).map(([name, v]) => ({
      name,
      severity: v.severity,
    })),
  };
}

/** Writes the report whole (a reader never sees half a file). */
export async function writeDependencyReport(
  report: DependencyReport,
  file = DEPENDENCY_REPORT,
): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The report, or undefined when there is none (or it is unreadable). */
export async function readDependencyReport(
  file = DEPENDENCY_REPORT,
): Promise<DependencyReport | undefined> {
  try {
    const report = JSON.parse(await readFile(file, "utf8")) as DependencyReport;
    return typeof report.createdAt === "string" && report.vulnerabilities ? report : undefined;
  } catch {
    return undefined;
  }
}
