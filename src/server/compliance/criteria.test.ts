import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CRITERIA, combine, hasRed } from "./criteria";

describe("combine", () => {
  it("reports every criterion of COMPLIANCE.md, grey when no probe spoke about it", () => {
    const report = combine([], "http://127.0.0.1:8080");
    assert.deepEqual(
      report.findings.map((f) => f.id),
      CRITERIA.map((c) => c.id),
    );
    assert.equal(report.findings.length, 22);
    assert.ok(report.findings.every((f) => f.status === "grey"));
    assert.equal(hasRed(report), false);
  });

  it("lets the worst status win and keeps every probe's evidence", () => {
    const report = combine(
      [
        { id: "L4", status: "green", reason: "csp ok", evidence: ["csp"] },
        { id: "L4", status: "red", reason: "foreign request", evidence: ["browser"] },
        { id: "T1", status: "grey", reason: "turn later", evidence: [] },
        { id: "T1", status: "yellow", reason: "loopback http", evidence: ["url"] },
      ],
      "http://x",
    );
    const l4 = report.findings.find((f) => f.id === "L4");
    assert.equal(l4?.status, "red");
    assert.equal(l4?.reason, "foreign request");
    assert.deepEqual(l4?.evidence, ["csp", "browser"]);
    assert.equal(report.findings.find((f) => f.id === "T1")?.status, "yellow");
    assert.equal(hasRed(report), true);
  });
});
