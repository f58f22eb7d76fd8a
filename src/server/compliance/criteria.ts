import type { Finding as ProtocolFinding, Report, Status } from "../../protocol/compliance";

export type { Report, Status };
/**
 * The criteria of COMPLIANCE.md (shared design document) with their stable
 * ids. `plenum audit` reports every one of them, in this order.
 */
export const CRITERIA = [
  {
    id: "L1",
    title: "Operated by the controller or an EU/EEA processor; no sub-processors outside the EU",
  },
  { id: "L2", title: "Sub-processors listed for the data processing agreement (Art. 28)" },
  { id: "L3", title: "No processing for the vendor's own purposes, no telemetry" },
  { id: "L4", title: "No third-country transfer (CDNs, fonts, avatars, STUN)" },
  { id: "L5", title: "Purpose and legal basis documented; consent where required" },
  { id: "L6", title: "Information under Art. 13 before anyone joins" },
  { id: "L7", title: "Record of processing (Art. 30) and TOMs (Art. 32)" },
  { id: "L8", title: "Data protection impact assessment support" },
  { id: "L9", title: "Recording only transparent and consented" },
  { id: "L10", title: "No per-person performance or attention tracking" },
  { id: "T1", title: "Transport encryption of signalling and media per TR-02102" },
  { id: "T2", title: "End-to-end encryption for high protection needs" },
  { id: "T3", title: "Authentication fit to risk; guests without account" },
  { id: "T4", title: "No unauthorised access" },
  { id: "T5", title: "Role separation; the administrator sees no content" },
  { id: "T6", title: "Works in the browser without installation; kept up to date" },
  { id: "T7", title: "Data minimisation in logs" },
  { id: "T8", title: "Privacy-friendly defaults" },
  { id: "T9", title: "Protection of private homes (local background blur)" },
  { id: "T10", title: "Deletion" },
  { id: "T11", title: "Data subjects' rights" },
  { id: "T12", title: "AI features only local and opt-in" },
] as const;

export type CriterionId = (typeof CRITERIA)[number]["id"];

/** A finding about one of these criteria. */
export interface Finding extends ProtocolFinding {
  id: CriterionId;
}

const RANK: Record<Status, number> = { grey: 0, green: 1, yellow: 2, red: 3 };

/**
 * Several probes may speak about one criterion: the worst status wins, and its
 * reasons lead; every probe's evidence is kept. A criterion no probe spoke
 * about is grey, so nothing is silently missing from a report.
 */
export function combine(findings: Finding[], url: string, now = new Date()): Report {
  const out: Finding[] = CRITERIA.map(({ id }) => {
    const mine = findings.filter((f) => f.id === id);
    if (mine.length === 0)
      return { id, status: "grey", reason: "not checked by software", evidence: [] };
    const worst = mine.reduce((a, b) => (RANK[b.status] > RANK[a.status] ? b : a));
    const reasons = mine
      .filter((f) => f.status === worst.status)
      .map((f) => f.reason)
      .join("; ");
    return {
      id,
      status: worst.status,
      reason: reasons,
      evidence: mine.flatMap((f) => f.evidence),
    };
  });
  return { url, generatedAt: now.toISOString(), findings: out };
}

export function hasRed(report: Report): boolean {
  return report.findings.some((f) => f.status === "red");
}

export function titleOf(id: string): string {
  return CRITERIA.find((c) => c.id === id)?.title ?? id;
}
