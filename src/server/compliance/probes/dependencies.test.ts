import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { type DependencyReport, writeDependencyReport } from "../dependency-audit";
import { dependencyFindings, MAX_REPORT_AGE_DAYS } from "./dependencies";

const dir = mkdtempSync(join(tmpdir(), "plenum-deps-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse("2026-12-07T12:00:00Z");
const DAY = 86_400_000;
const LOCK = "a".repeat(64);

function report(days: number, high = 0, lock = LOCK): DependencyReport {
  return {
    createdAt: new Date(NOW - days * DAY).toISOString(),
    lockSha256: lock,
    vulnerabilities: { info: 0, low: 1, moderate: 0, high, critical: 0 },
    packages: high > 0 ? [{ name: "ws", severity: "high" }] : [{ name: "pino", severity: "low" }],
  };
}

async function t6(r: DependencyReport | undefined) {
  const file = join(dir, `${Math.random()}.json`);
  if (r) await writeDependencyReport(r, file);
  const [finding] = await dependencyFindings(file, NOW, LOCK);
  assert.ok(finding);
  assert.equal(finding.id, "T6");
  return finding;
}

describe("T6 from the dependency audit report (RUN-3)", () => {
  it("RUN-3: green for a fresh report without high or critical findings, and says its age", async () => {
    const f = await t6(report(3));
    assert.equal(f.status, "green");
    assert.match(f.reason, /audited 3 days ago/);
    assert.match(f.evidence.join("\n"), /2026-12-04T12:00:00\.000Z \(3 days old\)/);
  });

  it("RUN-3: red with the package named for high or critical findings", async () => {
    const f = await t6(report(1, 2));
    assert.equal(f.status, "red");
    assert.match(f.reason, /2 high or critical .*ws/);
  });

  it("RUN-3: yellow without a report, naming the command that makes one", async () => {
    const f = await t6(undefined);
    assert.equal(f.status, "yellow");
    assert.match(f.reason, /plenum audit-deps/);
  });

  it(`RUN-3: yellow when the report is older than ${MAX_REPORT_AGE_DAYS} days`, async () => {
    assert.equal((await t6(report(MAX_REPORT_AGE_DAYS))).status, "green");
    const f = await t6(report(MAX_REPORT_AGE_DAYS + 1));
    assert.equal(f.status, "yellow");
    assert.match(f.reason, /31 days old/);
  });

  it("RUN-3: yellow when the report was made for another package-lock.json", async () => {
    const f = await t6(report(0, 0, "b".repeat(64)));
    assert.equal(f.status, "yellow");
    assert.match(f.reason, /package-lock\.json changed/);
  });
});
