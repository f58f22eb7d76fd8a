/** The audit report as `/api/admin/compliance` and `plenum audit --format json` give it. */

/** green: verified; yellow: the operator must act; red: violated; grey: organisational. */
export type Status = "green" | "yellow" | "red" | "grey";

export interface Finding {
  /** A COMPLIANCE.md id: L1–L10, T1–T12. */
  id: string;
  status: Status;
  /** One line: why this status. */
  reason: string;
  /** What was looked at (headers, URLs, settings), so a reader can check. */
  evidence: string[];
}

export interface Report {
  url: string;
  generatedAt: string;
  findings: Finding[];
}

/** One audit at a time; its progress and result stay in the server's memory until the next run. */
export type AuditRun =
  | { state: "idle" }
  | { state: "running"; step: string }
  | { state: "done"; report: Report }
  | { state: "failed"; message: string };
