import { signal } from "@preact/signals";
import { de } from "./de";
import { en, type MessageKey } from "./en";

export type Language = "de" | "en";
const CATALOGUES: Record<Language, Record<MessageKey, string>> = { de, en };
const STORAGE_KEY = "plenum.language";

/** German for a browser that prefers German (before English), English otherwise; a choice is remembered locally. */
export function detectLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === "de" || stored === "en") return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "de" || primary === "en") return primary;
  }
  return "en";
}

export const language = signal<Language>(detectLanguage());

export function setLanguage(lang: Language): void {
  localStorage.setItem(STORAGE_KEY, lang);
  language.value = lang;
  document.documentElement.lang = lang;
}

/** Looks up a string; `{name}` placeholders are replaced by `params` (as text, never HTML). */
export function t(key: MessageKey, params: Record<string, string> = {}): string {
  return CATALOGUES[language.value][key].replace(
    /\{(\w+)\}/g,
    (_, name: string) => params[name] ?? "",
  );
}

export type { MessageKey };
