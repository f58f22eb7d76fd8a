import type { Browser as ChromiumBrowser, Page as ChromiumPage } from "playwright-core";
import type { Page as FirefoxPage } from "puppeteer-core";
import { personContext } from "./chromium";
import type { FirefoxBrowser } from "./firefox";
import { WORDS } from "./people";
import { recordPage } from "./probes";
import { waitFor } from "./wait";

export type Engine = "chromium" | "firefox";
export type Locale = keyof typeof WORDS;

/**
 * One person's page in either browser, with just what the cross-browser
 * tests do: playwright drives Chromium (CDP), puppeteer-core drives Firefox
 * (WebDriver BiDi). Clicks and typing are real input events in both.
 * Elements are found by what a person reads (a button's accessible name, a
 * field's label), the same way in both browsers, by `mark` below.
 */
export interface AnyPage {
  readonly engine: Engine;
  readonly locale: Locale;
  readonly words: (typeof WORDS)[Locale];
  goto(url: string): Promise<void>;
  url(): string;
  /** Runs `fn(arg)` in the page; `fn` must be self-contained (it is serialised). */
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Evaluates script source in the page through the driver (not subject to the page's CSP). */
  evaluateScript(source: string): Promise<unknown>;
  /** Clicks the button named `name`, once it is there. */
  click(name: string): Promise<void>;
  /** Types `value` into the field labelled `label`. */
  fill(label: string, value: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * In the page: marks the first visible, enabled element of `kind` whose
 * accessible name (aria-label, label or text) is `name` (exactly, else
 * containing it) with a fresh `data-test-target`, and returns its selector.
 */
function mark({ kind, name }: { kind: "button" | "field"; name: string }): string | null {
  // No named inner functions: the bundler would wrap them in a helper the page does not have.
  const selector = kind === "button" ? "button, [role=button], a[href]" : "input, textarea, select";
  const named: [HTMLElement, string][] = [];
  for (const el of document.querySelectorAll<HTMLElement>(selector)) {
    if (el.getClientRects().length === 0 || (el as HTMLButtonElement).disabled) continue;
    const label =
      el.getAttribute("aria-label") ??
      (kind === "field" ? (el as HTMLInputElement).labels?.[0]?.textContent : el.textContent);
    named.push([el, (label ?? "").replace(/\s+/g, " ").trim()]);
  }
  const found =
    named.find(([, n]) => n === name)?.[0] ?? named.find(([, n]) => n.includes(name))?.[0];
  if (!found) return null;
  const id = String(Math.random()).slice(2);
  found.setAttribute("data-test-target", id);
  return `[data-test-target="${id}"]`;
}

async function target(page: AnyPage, kind: "button" | "field", name: string): Promise<string> {
  return waitFor(`${kind} "${name}" in ${page.engine}`, () => page.evaluate(mark, { kind, name }), {
    timeoutMs: 30_000,
  });
}

export async function chromiumPage(browser: ChromiumBrowser, locale: Locale): Promise<AnyPage> {
  const page: ChromiumPage = await (await personContext(browser, locale)).newPage();
  const self: AnyPage = {
    engine: "chromium",
    locale,
    words: WORDS[locale],
    goto: async (url) => void (await page.goto(url)),
    url: () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    evaluateScript: (source) => page.evaluate(source),
    click: async (name) => page.click(await target(self, "button", name)),
    fill: async (label, value) => page.fill(await target(self, "field", label), value),
    close: () => page.context().close(),
  };
  return self;
}

/**
 * A page for one person in Firefox (the browser language is a Firefox
 * preference, set at launch): in a user context of its own (its own cookies,
 * as a person's own browser has) and a window of its own, so that it stays
 * visible beside other people's pages (the client pauses video a hidden page
 * does not show, and a background tab would be hidden).
 */
export async function firefoxPage(firefox: FirefoxBrowser, locale: Locale): Promise<AnyPage> {
  const context = await firefox.browser.createBrowserContext();
  const page: FirefoxPage = await context.newPage({ type: "window" });
  await page.setViewport({ width: 1000, height: 700 });
  await page.evaluateOnNewDocument(recordPage);
  const self: AnyPage = {
    engine: "firefox",
    locale,
    words: WORDS[locale],
    goto: async (url) => void (await page.goto(url)),
    url: () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    evaluateScript: (source) => page.evaluate(source),
    click: async (name) => page.click(await target(self, "button", name)),
    fill: async (label, value) => {
      const selector = await target(self, "field", label);
      await page.click(selector, { count: 3 });
      await page.type(selector, value);
    },
    close: () => context.close(),
  };
  return self;
}
