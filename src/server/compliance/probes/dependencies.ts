import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { Finding } from "../criteria";

const ROOT = resolve(import.meta.dirname, "../../../..");
const COMMAND = "npm audit --omit=dev --json";

/** T6: the dependency audit of this installation; yellow when no registry can be reached. */
export function dependencyFindings(): Finding[] {
  const run = spawnSync("npm", ["audit", "--omit=dev", "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  let counts: Record<string, number> | undefined;
  try {
    const parsed = JSON.parse(run.stdout) as {
      metadata?: { vulnerabilities?: Record<string, number> };
    };
    counts = parsed.metadata?.vulnerabilities;
  } catch {
    counts = undefined;
  }
  if (!counts)
    return [
      {
        id: "T6",
        status: "yellow",
        reason: `could not run the dependency audit (no registry reachable?): run "${COMMAND}" where it can`,
        evidence: [`${COMMAND}: exit ${run.status ?? run.signal}`],
      },
    ];
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  return [
    {
      id: "T6",
      status: serious > 0 ? "red" : "green",
      reason:
        serious > 0
          ? `${serious} high or critical vulnerabilities in dependencies`
          : "no high or critical vulnerabilities in dependencies",
      evidence: [`${COMMAND}: ${JSON.stringify(counts)}`],
    },
  ];
}
