import type { ErrorCode } from "../../protocol/errors";

/** Deeper than any valid message; a guard against stack-hungry input. */
export const MAX_DEPTH = 8;
/**
 * Keys that would reach an object's prototype in careless code downstream, in
 * this server or in a client that merges the message. Rejected outright.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export type Parsed = { ok: true; value: unknown } | { ok: false; code: ErrorCode; detail: string };

/**
 * Parses a signalling frame, rejecting what `JSON.parse` silently accepts:
 * duplicate keys (the last one would win, so `{"type":"a","type":"b"}` could
 * smuggle a type past a check that read the first), prototype keys and deep nesting.
 */
export function parseMessage(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: "bad-json", detail: (error as Error).message };
  }
  const problem = structuralProblem(text);
  return problem ? { ok: false, code: "unsafe-message", detail: problem } : { ok: true, value };
}

/** Scans valid JSON text once; returns why it is unsafe, or undefined. */
function structuralProblem(text: string): string | undefined {
  // One entry per open container: the keys seen so far for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") {
      stack.push(c === "{" ? new Set() : null);
      if (stack.length > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH}`;
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === '"') {
      const end = endOfString(text, i);
      const keys = stack.at(-1);
      if (keys && isKey(text, end + 1)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (FORBIDDEN_KEYS.has(key)) return `forbidden key ${JSON.stringify(key)}`;
        if (keys.has(key)) return `duplicate key ${JSON.stringify(key)}`;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

/** Index of the closing quote of the string that opens at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/** A string is a key when the next non-blank character is a colon. */
function isKey(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c !== " " && c !== "\n" && c !== "\r" && c !== "\t") return c === ":";
  }
  return false;
}
