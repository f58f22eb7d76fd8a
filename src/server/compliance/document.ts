/** A generated document: headings, paragraphs and lists, rendered to Markdown or HTML. */
export interface Doc {
  lang: "en" | "de";
  title: string;
  sections: { heading: string; body: (string | string[])[] }[];
}

export function toMarkdown(doc: Doc): string {
  const parts = [`# ${doc.title}`];
  for (const s of doc.sections) {
    parts.push(`## ${s.heading}`);
    for (const b of s.body)
      parts.push(typeof b === "string" ? b : b.map((i) => `- ${i}`).join("\n"));
  }
  return `${parts.join("\n\n")}\n`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A complete page without inline styles or scripts (the CSP forbids both); the
 * operator's facts are text, always escaped. `nav` links other languages.
 */
export function toHtml(doc: Doc, nav = ""): string {
  const body = doc.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.heading)}</h2>${s.body
          .map((b) =>
            typeof b === "string"
              ? `<p>${escapeHtml(b)}</p>`
              : `<ul>${b.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`,
          )
          .join("")}</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="${doc.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title></head>
<body><main><h1>${escapeHtml(doc.title)}</h1>${nav}
${body}
</main></body></html>
`;
}
