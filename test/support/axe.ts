import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import type { AnyPage } from "./browsers";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's findings on the page as it is now, run in the page. */
function runAxe(): Promise<Violation[]> {
  const axe = (window as unknown as { axe: { run(): Promise<{ violations: Violation[] }> } }).axe;
  return axe.run().then((result) => result.violations);
}

/**
 * Serious or critical accessibility violations axe-core finds on the page as
 * it is now, one line each (rule, impact, what it asks, where), in Chromium
 * (a playwright page) or either browser (an AnyPage).
 */
export async function axeViolations(page: Page | AnyPage): Promise<string[]> {
  // Evaluated by the driver (DevTools protocol or WebDriver BiDi), which the
  // page's CSP does not govern (it refuses a script tag); the product is untouched.
  let violations: Violation[];
  if ("engine" in page) {
    await page.evaluateScript(AXE);
    violations = await page.evaluate(runAxe, undefined);
  } else {
    await page.evaluate(AXE);
    violations = await page.evaluate(runAxe);
  }
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}
