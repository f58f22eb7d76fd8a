import { type Report, type Status, titleOf } from "./criteria";
import { escapeHtml } from "./document";

const MARK: Record<Status, string> = { green: "GREEN", yellow: "YELLOW", red: "RED", grey: "GREY" };

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function reportMarkdown(report: Report): string {
  const lines = [
    `# Plenum compliance audit of ${report.url}`,
    "",
    `Generated ${report.generatedAt}. Criteria: COMPLIANCE.md.`,
    "",
    "| id | status | criterion | reason |",
    "|---|---|---|---|",
    ...report.findings.map(
      (f) =>
        `| ${f.id} | ${MARK[f.status]} | ${titleOf(f.id)} | ${f.reason.replace(/\|/g, "\\|")} |`,
    ),
    "",
    "## Evidence",
    ...report.findings.flatMap((f) =>
      f.evidence.length === 0 ? [] : ["", `### ${f.id}`, ...f.evidence.map((e) => `- ${e}`)],
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** A standalone page; status is spelt out in words, not only coloured (accessibility). */
export function reportHtml(report: Report): string {
  const rows = report.findings
    .map(
      (f) =>
        `<tr><th scope="row">${f.id}</th><td class="${f.status}">${MARK[f.status]}</td><td>${escapeHtml(titleOf(f.id))}</td><td>${escapeHtml(f.reason)}<ul>${f.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join("")}</ul></td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plenum compliance audit</title></head>
<body><main><h1>Plenum compliance audit of ${escapeHtml(report.url)}</h1>
<p>Generated ${escapeHtml(report.generatedAt)}.</p>
<table><thead><tr><th scope="col">id</th><th scope="col">status</th><th scope="col">criterion</th><th scope="col">reason and evidence</th></tr></thead>
<tbody>
${rows}
</tbody></table></main></body></html>
`;
}
