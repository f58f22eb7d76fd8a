import type { Finding } from "../criteria";
import {
  DEPENDENCY_REPORT,
  type DependencyReport,
  lockHash,
  readDependencyReport,
} from "../dependency-audit";

/** A report older than this asks to be refreshed: advisories appear every week. */
export const MAX_REPORT_AGE_DAYS = 30;
const DAY = 86_400_000;
const REFRESH = 'run "plenum audit-deps" where the package registry is reachable';

/**
 * T6: the dependency audit of this installation, from the report
 * `plenum audit-deps` wrote (../dependency-audit.ts). Reads a file only: no
 * registry, no child process, nothing that holds up the server.
 */
export async function dependencyFindings(
  file = DEPENDENCY_REPORT,
  now = Date.now(),
  currentLock?: string,
): Promise<Finding[]> {
  const report = await readDependencyReport(file);
  if (!report)
    return [
      {
        id: "T6",
        status: "yellow",
        reason: `no dependency audit report: ${REFRESH}`,
        evidence: [`${file}: missing`],
      },
    ];
  const lock = currentLock ?? (await lockHash());
  const days = Math.floor((now - Date.parse(report.createdAt)) / DAY);
  const age = `${report.createdAt} (${days} ${days === 1 ? "day" : "days"} old)`;
  const evidence = [`npm audit --omit=dev of ${age}: ${JSON.stringify(report.vulnerabilities)}`];
  const serious = report.vulnerabilities.high + report.vulnerabilities.critical;
  if (report.lockSha256 !== lock)
    return [
      {
        id: "T6",
        status: "yellow",
        reason: `the dependency audit report is for other dependencies (package-lock.json changed): ${REFRESH}`,
        evidence,
      },
    ];
  if (serious > 0)
    return [{ id: "T6", status: "red", reason: seriousReason(report, serious, days), evidence }];
  if (!(days <= MAX_REPORT_AGE_DAYS))
    return [
      {
        id: "T6",
        status: "yellow",
        reason: `the dependency audit report is ${days} days old: ${REFRESH}`,
        evidence,
      },
    ];
  return [
    {
      id: "T6",
      status: "green",
      reason: `no high or critical vulnerabilities in dependencies (audited ${days} ${days === 1 ? "day" : "days"} ago)`,
      evidence,
    },
  ];
}

function seriousReason(report: DependencyReport, serious: number, days: number): string {
  const names = report.packages
    .filter((p) => p.severity === "high" || p.severity === "critical")
    .map((p) => p.name);
  return `${serious} high or critical vulnerabilities in dependencies (${names.join(", ")}; audited ${days} days ago): update them`;
}
